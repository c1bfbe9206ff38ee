// LockService, PropertiesService, CacheService, Session, ScriptApp, HtmlService and UrlFetchApp as
// Apps Script behaves live, re-expressed from the peer project gas-fakes, whose test suite runs
// against Google as well as its own fake (github.com/brucemcpherson/gas-fakes, test/*.js). Each
// block names the gas-fakes file and section. Soft assertions: every one is checked and reported.
import { describe, expect, it } from "vitest";
import { LocalRuntime, type FetchHandler } from "../../src/local/runtime";

function value(rt: LocalRuntime, fn: string, args: unknown[] = []): unknown {
  const result = rt.run(fn, args);
  if (result.error) throw new Error(result.error);
  return result.value;
}

describe("gas-fakes testlock.js", () => {
  const rt = () =>
    new LocalRuntime({
      code: `
        function getters() { return [!!LockService.getScriptLock(), !!LockService.getUserLock()]; }
        function basic() {
          const lock = LockService.getScriptLock();
          const out = [lock.hasLock(), lock.tryLock(10000), lock.hasLock(), lock.tryLock(10000), lock.hasLock()];
          lock.releaseLock();
          out.push(lock.hasLock());
          return out;
        }
        function waits() {
          const lock = LockService.getScriptLock();
          lock.waitLock(1000);
          const first = lock.hasLock();
          lock.waitLock(1000);
          const again = lock.hasLock();
          lock.releaseLock();
          return [first, again];
        }
        function timeouts() {
          const lock = LockService.getScriptLock();
          const out = [lock.tryLock(0), lock.hasLock()];
          lock.releaseLock();
          out.push(lock.tryLock(-100), lock.hasLock());
          lock.waitLock(0);
          out.push(lock.hasLock());
          lock.releaseLock();
          try { lock.waitLock(-100); out.push("no error"); } catch (e) { out.push(e.message); }
          out.push(lock.hasLock());
          return out;
        }`,
    });

  it("gives script and user locks (LockService getters)", () => {
    expect.soft(value(rt(), "getters")).toEqual([true, true]);
  });

  it("takes, keeps and releases a lock (Basic Lock operations, waitLock functionality)", () => {
    expect.soft(value(rt(), "basic")).toEqual([false, true, true, true, true, false]);
    expect.soft(value(rt(), "waits")).toEqual([true, true]);
  });

  it("takes a free lock with a zero timeout and refuses a negative one (Lock timeout failures)", () => {
    const [tryZero, heldZero, tryNegative, heldNegative, waitZero, waitNegative, heldAfter] = value(rt(), "timeouts") as unknown[];
    expect.soft([tryZero, heldZero]).toEqual([true, true]);
    expect.soft([tryNegative, heldNegative]).toEqual([false, false]);
    expect.soft(waitZero).toBe(true);
    expect.soft(waitNegative).toMatch(/Lock timeout/);
    expect.soft(heldAfter).toBe(false);
  });
});

describe("gas-fakes teststores.js", () => {
  it("sets, reads and deletes a property in every store (properties store)", () => {
    const rt = new LocalRuntime({
      code: `function stores() {
        return [PropertiesService.getDocumentProperties(), PropertiesService.getScriptProperties(), PropertiesService.getUserProperties()]
          .map((store, i) => {
            store.setProperty("t", "v" + i);
            const read = store.getProperty("t");
            store.deleteProperty("t");
            return [read, store.getProperty("t")];
          });
      }`,
    });
    expect.soft(value(rt, "stores")).toEqual([
      ["v0", null],
      ["v1", null],
      ["v2", null],
    ]);
  });

  // The live run checks the user cache; tanaikech/gas-fakes' copy of the test checks all three.
  for (const store of ["getUserCache", "getDocumentCache", "getScriptCache"]) {
    it(`puts, gets and removes ${store}() entries, which expire after their seconds (cache store)`, () => {
      const rt = new LocalRuntime({
        code: `
          function cache(store) {
            const c = CacheService[store]();
            c.put("t", "upc");
            const read = c.get("t");
            c.remove("t");
            const removed = c.get("t");
            c.put("t", "ex", 2);
            return [read, removed, c.get("t")];
          }
          function later(store) { Utilities.sleep(2000); return CacheService[store]().get("t"); }`,
      });
      expect.soft(value(rt, "cache", [store])).toEqual(["upc", null, "ex"]);
      expect.soft(value(rt, "later", [store])).toBeNull();
    });
  }
});

describe("gas-fakes testsession.js, testscriptapp.js", () => {
  it("prints a user as their email and gives a temporary key (session properties)", () => {
    const rt = new LocalRuntime({
      code: `function session() {
        return [String(Session.getActiveUser()), Session.getActiveUser().getEmail(), Session.getEffectiveUser().getEmail(),
                Session.getActiveUserLocale().length > 0, Session.getTemporaryActiveUserKey().length > 0];
      }`,
    });
    expect.soft(value(rt, "session")).toEqual(["user@example.com", "user@example.com", "user@example.com", true, true]);
  });

  it("names the script and its auth modes (ScriptApp Basics)", () => {
    const rt = new LocalRuntime({ code: `function basics() { return [typeof ScriptApp.getScriptId(), ScriptApp.AuthMode.FULL]; }` });
    expect.soft(value(rt, "basics")).toEqual(["string", "FULL"]);
  });
});

describe("gas-fakes testhtmlservice.js", () => {
  it("keeps an output's content, title and size, and refuses a missing file (HtmlService basics, file loading)", () => {
    const rt = new LocalRuntime({
      code: `
        function output() {
          const out = HtmlService.createHtmlOutput("<h1>Title</h1>");
          const before = [out.getContent(), out.getTitle()];
          out.setTitle("My Page").setHeight(100).setWidth(200);
          return [...before, out.getTitle(), out.getHeight(), out.getWidth()];
        }
        function missing() {
          try { HtmlService.createHtmlOutputFromFile("does_not_exist"); return "no error"; } catch (e) { return "threw"; }
        }`,
    });
    expect.soft(value(rt, "output")).toEqual(["<h1>Title</h1>", "", "My Page", 100, 200]);
    expect.soft(value(rt, "missing")).toBe("threw");
  });
});

describe("gas-fakes testfetch.js", () => {
  // The servers gas-fakes fetched answer like these: an image, and JSON served as text/javascript.
  const handler: FetchHandler = (request) =>
    request.url.includes("picsum")
      ? { status: 200, headers: { "Content-Type": "image/jpeg" }, body: "jpeg", latencyMs: 50 }
      : { status: 200, headers: { "Content-Type": "text/javascript; charset=UTF-8" }, body: '["trump",[]]', latencyMs: 50 };

  it("gives a response's blob the server's type without parameters, and a name (urlfetchapp external and blobs)", () => {
    const rt = new LocalRuntime({
      code: `function blobs() {
        const image = UrlFetchApp.fetch("https://picsum.photos/200").getBlob();
        const text = UrlFetchApp.fetch("http://suggestqueries.google.com/complete/search?client=chrome&q=trump");
        const textBlob = text.getBlob();
        return [image.getName().length > 0, image.getContentType(), Array.isArray(image.getBytes()),
                textBlob.getDataAsString() === text.getContentText(), textBlob.getContentType(), textBlob.getName().length > 0];
      }`,
      fetch: { kind: "handler", handler },
    });
    expect.soft(value(rt, "blobs")).toEqual([true, "image/jpeg", true, true, "text/javascript", true]);
  });

  it("answers a fetchAll in order (urlfetchapp fetchAll)", () => {
    const rt = new LocalRuntime({
      code: `function all() {
        const r = UrlFetchApp.fetchAll([{ url: "http://suggestqueries.google.com/complete/search" }, { url: "https://picsum.photos/200" }]);
        return [r.length, r[0].getResponseCode(), r[1].getResponseCode(), r[1].getBlob().getContentType()];
      }`,
      fetch: { kind: "handler", handler },
    });
    expect.soft(value(rt, "all")).toEqual([2, 200, 200, "image/jpeg"]);
  });

  it("describes a request without sending it (urlfetchapp getRequest)", () => {
    const rt = new LocalRuntime({
      code: `function describe() {
        const url = "https://api.github.com/users/brucemcpherson";
        const plain = UrlFetchApp.getRequest(url);
        const post = UrlFetchApp.getRequest(url, { method: "POST", contentType: "application/json",
          payload: JSON.stringify({ hello: "world" }), headers: { "X-Custom": "test" } });
        const bare = UrlFetchApp.getRequest(url, { method: "post" });
        return [plain.url === url, plain.method, plain.headers, post.method, post.contentType, post.payload, post.headers, bare.contentType];
      }`,
    });
    expect
      .soft(value(rt, "describe"))
      .toEqual([
        true,
        "get",
        {},
        "post",
        "application/json",
        '{"hello":"world"}',
        { "X-Custom": "test" },
        "application/x-www-form-urlencoded",
      ]);
  });

  it("keeps header names as the server sent them (src/services/urlfetchapp/app.js reads raw headers to match Apps Script)", () => {
    const rt = new LocalRuntime({
      code: `function headers() { const r = UrlFetchApp.fetch("https://picsum.photos/200"); return [r.getHeaders(), r.getAllHeaders()]; }`,
      fetch: { kind: "handler", handler },
    });
    expect.soft(value(rt, "headers")).toEqual([{ "Content-Type": "image/jpeg" }, { "Content-Type": "image/jpeg" }]);
  });
});
