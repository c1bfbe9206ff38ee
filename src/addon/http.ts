import type { HttpRequest, HttpResponse } from "../core/types";

function toFetchParams(request: HttpRequest): GoogleAppsScript.URL_Fetch.URLFetchRequestOptions {
  const headers: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === "content-type") contentType = value;
    else headers[name] = value;
  }
  return {
    method: request.method,
    headers,
    // Without it one 4xx/5xx throws away the whole fetchAll.
    muteHttpExceptions: true,
    followRedirects: true,
    ...(request.payload !== undefined ? { payload: request.payload, contentType: contentType ?? "application/json" } : {}),
  };
}

function toHttpResponse(response: GoogleAppsScript.URL_Fetch.HTTPResponse): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.getHeaders() as Record<string, unknown>)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return { status: response.getResponseCode(), headers, body: response.getContentText() };
}

/** A transport failure (DNS, timeout) as a response the engine classifies like a 5xx. */
function transportFailure(error: unknown): HttpResponse {
  const message = error instanceof Error ? error.message : String(error);
  return { status: 0, headers: {}, body: message.slice(0, 300) };
}

export function fetchOne(request: HttpRequest): HttpResponse {
  try {
    return toHttpResponse(UrlFetchApp.fetch(request.url, toFetchParams(request)));
  } catch (error) {
    return transportFailure(error);
  }
}

/** All requests in one parallel fetchAll, responses in the same order. */
export function fetchAllResponses(requests: readonly HttpRequest[]): HttpResponse[] {
  if (requests.length === 0) return [];
  try {
    const responses = UrlFetchApp.fetchAll(requests.map((request) => ({ url: request.url, ...toFetchParams(request) })));
    return responses.map(toHttpResponse);
  } catch {
    // Even with muteHttpExceptions, a transport failure of one request throws for the whole call:
    // fall back to one by one so the others still count.
    return requests.map(fetchOne);
  }
}
