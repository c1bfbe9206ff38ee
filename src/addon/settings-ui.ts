// CONTRACT STUB — the sidebar helper implements the settings view's server side here.
export declare function getSettingsView(): unknown;
export declare function saveSettings(form: unknown): unknown;
export declare function testConnection(service: unknown, form?: unknown): unknown;
export declare function listModels(form?: unknown): unknown;
