import type { Execution } from "./execution";
import type { ToastRecord } from "./spreadsheet";

export type MenuEntry = { kind: "item"; label: string; functionName: string } | { kind: "separator" };

/** What scripts showed the user, in order. */
export interface UiRecord {
  /** Menus added with addToUi(); a menu added again under the same name replaces the earlier one. */
  menus: { name: string; addon: boolean; items: MenuEntry[] }[];
  sidebars: { title: string; html: string }[];
  dialogs: { title: string; html: string; modal: boolean }[];
  alerts: { title: string; prompt: string; buttons: string }[];
  /** Buttons a test makes the user press on the next alerts, in order; then the user accepts. */
  alertAnswers?: string[];
  toasts: ToastRecord[];
}

export class HtmlOutput {
  #content: string;
  #title = "";
  #width = 0;
  #height = 0;

  constructor(content: string) {
    this.#content = content;
  }

  getContent(): string {
    return this.#content;
  }
  setContent(content: unknown): HtmlOutput {
    this.#content = String(content);
    return this;
  }
  append(content: unknown): HtmlOutput {
    this.#content += String(content);
    return this;
  }
  getTitle(): string {
    return this.#title;
  }
  setTitle(title: unknown): HtmlOutput {
    this.#title = String(title);
    return this;
  }
  getWidth(): number {
    return this.#width;
  }
  setWidth(width: unknown): HtmlOutput {
    this.#width = Number(width);
    return this;
  }
  getHeight(): number {
    return this.#height;
  }
  setHeight(height: unknown): HtmlOutput {
    this.#height = Number(height);
    return this;
  }
  setSandboxMode(_mode: unknown): HtmlOutput {
    return this;
  }
  setXFrameOptionsMode(_mode: unknown): HtmlOutput {
    return this;
  }
  addMetaTag(_name: unknown, _content: unknown): HtmlOutput {
    return this;
  }
  setFaviconUrl(_url: unknown): HtmlOutput {
    return this;
  }
}

export function htmlService(exec: Execution, files: Record<string, string>) {
  const file = (name: unknown): string => {
    const key = String(name).replace(/\.html$/, "");
    const html = files[key];
    if (html === undefined) return exec.fail(`No HTML file named ${key} was found.`);
    return html;
  };
  return {
    SandboxMode: { IFRAME: "IFRAME", NATIVE: "NATIVE", EMULATED: "EMULATED" },
    XFrameOptionsMode: { ALLOWALL: "ALLOWALL", DEFAULT: "DEFAULT" },
    createHtmlOutput: (html?: unknown) => new HtmlOutput(html === undefined ? "" : String(html)),
    createHtmlOutputFromFile: (name: unknown) => new HtmlOutput(file(name)),
    /** Scriptlets are not evaluated: the pages of this project have none. */
    createTemplateFromFile: (name: unknown) => {
      const raw = file(name);
      return { evaluate: () => new HtmlOutput(raw), getRawContent: () => raw };
    },
  };
}

const BUTTON = { OK: "OK", CANCEL: "CANCEL", YES: "YES", NO: "NO", CLOSE: "CLOSE" } as const;
const BUTTON_SET = { OK: "OK", OK_CANCEL: "OK_CANCEL", YES_NO: "YES_NO", YES_NO_CANCEL: "YES_NO_CANCEL" } as const;

/** SpreadsheetApp.getUi(). Google refuses it in time-driven triggers and custom functions. */
export function spreadsheetUi(exec: Execution, record: UiRecord, addOnName: string) {
  if (exec.kind === "trigger") exec.fail("Cannot call SpreadsheetApp.getUi() from this context.");
  exec.forbidInCustomFunction("SpreadsheetApp.getUi");
  const menu = (name: string, addon: boolean) => {
    const items: MenuEntry[] = [];
    const self = {
      addItem(caption: unknown, functionName: unknown) {
        items.push({ kind: "item", label: String(caption), functionName: String(functionName) });
        return self;
      },
      addSeparator() {
        items.push({ kind: "separator" });
        return self;
      },
      addToUi() {
        const index = record.menus.findIndex((m) => m.name === name && m.addon === addon);
        const entry = { name, addon, items: [...items] };
        if (index >= 0) record.menus[index] = entry;
        else record.menus.push(entry);
      },
    };
    return self;
  };
  const show = (output: unknown): HtmlOutput => {
    if (!(output instanceof HtmlOutput)) return exec.fail("Invalid argument: userInterface");
    return output;
  };
  return {
    Button: BUTTON,
    ButtonSet: BUTTON_SET,
    createMenu: (caption: unknown) => menu(String(caption), false),
    /**
     * The menu appears under Extensions with the add-on's name, whatever the script passes
     * (https://developers.google.com/apps-script/reference/base/ui#createAddonMenu()).
     */
    createAddonMenu: () => menu(addOnName, true),
    showSidebar(output: unknown) {
      const page = show(output);
      record.sidebars.push({ title: page.getTitle(), html: page.getContent() });
    },
    showModalDialog(output: unknown, title: unknown) {
      const page = show(output);
      record.dialogs.push({ title: String(title), html: page.getContent(), modal: true });
    },
    showModelessDialog(output: unknown, title: unknown) {
      const page = show(output);
      record.dialogs.push({ title: String(title), html: page.getContent(), modal: false });
    },
    /** alert(prompt), alert(prompt, buttons) or alert(title, prompt, buttons); the user accepts unless a test scripted an answer. */
    alert(...args: unknown[]) {
      const strings = args.filter((a): a is string => typeof a === "string");
      const buttons = args.length === 3 ? String(args[2]) : args.length === 2 ? String(args[1]) : BUTTON_SET.OK;
      const [title, prompt] = args.length === 3 ? [strings[0] ?? "", strings[1] ?? ""] : ["", strings[0] ?? ""];
      record.alerts.push({ title, prompt, buttons });
      const scripted = record.alertAnswers?.shift();
      if (scripted !== undefined) return scripted;
      return buttons.startsWith("YES") ? BUTTON.YES : BUTTON.OK;
    },
  };
}
