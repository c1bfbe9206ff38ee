// Small DOM helpers. Text always goes in as text nodes: company names, statuses and messages come
// from cells and the web, so nothing here ever parses HTML.

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page is missing #${id}`);
  return found as T;
}

type Child = Node | string | null;

/** Creates an element; string children become text nodes (Element.append never parses HTML). */
export function el(tag: string, className: string | null, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

export function setText(id: string, text: string): void {
  byId(id).textContent = text;
}

export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}

/** The message of whatever a call rejected with. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
