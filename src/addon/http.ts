// Sends the core's requests with UrlFetchApp. Requests as data carry no secret: the key named by a
// request's `auth` is added here, at the moment it is sent, so no state, log or error can hold it.
import type { HttpRequest, HttpResponse, Service } from "../core/types";

/** The keys requests are sent with (`apiKeys` of the settings). */
export type ApiKeys = Record<Service, string>;

/**
 * Google's answer when the day's URL-fetch quota is spent; nothing can be fetched until it resets
 * (https://developers.google.com/apps-script/guides/services/quotas).
 */
const DAILY_QUOTA_TEXT = "Service invoked too many times for one day: urlfetch";

function toFetchParams(request: HttpRequest, keys: ApiKeys): GoogleAppsScript.URL_Fetch.URLFetchRequestOptions {
  const headers: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === "content-type") contentType = value;
    else headers[name] = value;
  }
  if (request.auth) headers["Authorization"] = `Bearer ${keys[request.auth]}`;
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isDailyQuota(error: unknown): boolean {
  return errorText(error).includes(DAILY_QUOTA_TEXT);
}

/** A transport failure (DNS, timeout) as a response the engine classifies like a 5xx. */
function transportFailure(error: unknown): HttpResponse {
  return { status: 0, headers: {}, body: errorText(error).slice(0, 300) };
}

/** One request; a transport failure (the daily quota included) comes back as status 0. */
export function fetchOne(request: HttpRequest, keys: ApiKeys): HttpResponse {
  try {
    return toHttpResponse(UrlFetchApp.fetch(request.url, toFetchParams(request, keys)));
  } catch (error) {
    return transportFailure(error);
  }
}

export interface Wave {
  /** In request order; shorter than the requests when the daily quota ran out part-way. */
  responses: HttpResponse[];
  /** Google refused to fetch more today: the requests without a response were not answered. */
  quotaSpent: boolean;
}

/** All requests in one parallel fetchAll, responses in the same order. */
export function fetchAllResponses(requests: readonly HttpRequest[], keys: ApiKeys): Wave {
  if (requests.length === 0) return { responses: [], quotaSpent: false };
  try {
    const responses = UrlFetchApp.fetchAll(requests.map((request) => ({ url: request.url, ...toFetchParams(request, keys) })));
    return { responses: responses.map(toHttpResponse), quotaSpent: false };
  } catch (error) {
    if (isDailyQuota(error)) return { responses: [], quotaSpent: true };
    // Even with muteHttpExceptions, a transport failure of one request throws for the whole call:
    // fall back to one by one so the others still count.
    const responses: HttpResponse[] = [];
    for (const request of requests) {
      try {
        responses.push(toHttpResponse(UrlFetchApp.fetch(request.url, toFetchParams(request, keys))));
      } catch (single) {
        if (isDailyQuota(single)) return { responses, quotaSpent: true };
        responses.push(transportFailure(single));
      }
    }
    return { responses, quotaSpent: false };
  }
}
