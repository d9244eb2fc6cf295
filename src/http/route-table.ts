// Every route a uWS App serves goes through one place, which keeps the list:
// the OpenAPI test compares it with the document (issue 27), so a route added
// without being documented fails a test instead of going unnoticed; and the
// fallback tells 405 from 404 by it, as find-my-way does, not by a copy.
import type uWS from '@trufflesuite/uws-js-unofficial';
import type { HttpRequest, HttpResponse } from './http-types.js';

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RegisteredRoute {
  method: RouteMethod;
  /** As uWS takes it: `/v1/review/:reviewId/decision`. */
  pattern: string;
  /** The route is a WebSocket; `GET` is its upgrade request. */
  websocket?: true;
}

export type RouteFunction = (res: HttpResponse, req: HttpRequest) => void;

/** What the route modules register with: uWS's methods, each one recorded. */
export interface RouteRegistrar {
  get(pattern: string, handler: RouteFunction): void;
  post(pattern: string, handler: RouteFunction): void;
  put(pattern: string, handler: RouteFunction): void;
  del(pattern: string, handler: RouteFunction): void;
  ws<UserData>(pattern: string, behavior: uWS.WebSocketBehavior<UserData>): void;
  /** What answers a request no route takes (uWS `any('/*')`): not a route of its own, so not listed. */
  fallback(handler: RouteFunction): void;
}

/** A pattern's segments; `:name` matches any one segment. */
function segmentsMatch(pattern: readonly string[], url: readonly string[]): boolean {
  return pattern.length === url.length && pattern.every((segment, i) => segment.startsWith(':') || segment === url[i]);
}

export class RouteTable implements RouteRegistrar {
  private readonly list: RegisteredRoute[] = [];
  private readonly patterns: string[][] = [];

  constructor(readonly app: uWS.TemplatedApp) {}

  /** Every route registered so far, in registration order. */
  get routes(): readonly RegisteredRoute[] {
    return this.list;
  }

  /** Some route answers this path (by another method, when the request came to the fallback). */
  hasPath(url: string): boolean {
    const parts = url.split('/');
    return this.patterns.some((pattern) => segmentsMatch(pattern, parts));
  }

  private record(route: RegisteredRoute): void {
    this.list.push(route);
    this.patterns.push(route.pattern.split('/'));
  }

  get(pattern: string, handler: RouteFunction): void {
    this.record({ method: 'GET', pattern });
    this.app.get(pattern, handler);
  }

  post(pattern: string, handler: RouteFunction): void {
    this.record({ method: 'POST', pattern });
    this.app.post(pattern, handler);
  }

  put(pattern: string, handler: RouteFunction): void {
    this.record({ method: 'PUT', pattern });
    this.app.put(pattern, handler);
  }

  del(pattern: string, handler: RouteFunction): void {
    this.record({ method: 'DELETE', pattern });
    this.app.del(pattern, handler);
  }

  ws<UserData>(pattern: string, behavior: uWS.WebSocketBehavior<UserData>): void {
    this.record({ method: 'GET', pattern, websocket: true });
    this.app.ws<UserData>(pattern, behavior);
  }

  fallback(handler: RouteFunction): void {
    this.app.any('/*', handler);
  }
}
