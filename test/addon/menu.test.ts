// The menu a user finds: the script's own menu when bound to the spreadsheet (clasp), Google's
// add-on menu under Extensions when published.
import { describe, expect, it } from "vitest";
import { LocalRuntime, loadBuiltAddon, type InstallationSource } from "../../src/local/runtime";

const built = loadBuiltAddon();

function menusOn(installationSource: InstallationSource) {
  const rt = new LocalRuntime({ ...built, installationSource, addOnName: "Territory Planner" });
  const opened = rt.run("onOpen", [{ authMode: "LIMITED" }], { kind: "simpleTrigger" });
  expect(opened.error).toBeNull();
  return rt.ui.menus.map((m) => ({ name: m.name, addon: m.addon, first: m.items[0] }));
}

describe("onOpen", () => {
  const research = { kind: "item", label: "Research selected rows", functionName: "researchSelectedRows" };

  it("adds the Territory Planner menu to the menu bar in a bound script", () => {
    expect(menusOn("NONE")).toEqual([{ name: "Territory Planner", addon: false, first: research }]);
  });

  it("builds the add-on menu, shown under Extensions with the add-on's name, when published", () => {
    expect(menusOn("WEB_STORE_ADD_ON")).toEqual([{ name: "Territory Planner", addon: true, first: research }]);
    expect(menusOn("APPS_MARKETPLACE_DOMAIN_ADD_ON")).toEqual([{ name: "Territory Planner", addon: true, first: research }]);
  });
});
