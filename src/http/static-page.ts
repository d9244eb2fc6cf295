// A page of the gate's own (the reviewer's, the policy team's): its files read
// once at start from src/<folder>/ and served under page-headers.ts's strict
// headers at /<path>, /<path>/ and /<path>/<file>.
import type { RouteRegistrar } from './route-table.js';
import { readFileSync } from 'node:fs';
import { repoPath } from '../config/repo-root.js';
import { send } from './respond.js';
import { PAGE_HEADERS } from './page-headers.js';
import { route, type RouteOptions } from './route-handler.js';

const TYPES: Readonly<Record<string, string>> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** `files`: the page's files in src/<folder>/, the first its HTML (served at /<path> and /<path>/). */
export function registerStaticPage(
  app: RouteRegistrar,
  path: string,
  folder: string,
  files: readonly string[],
  options: (extra?: Partial<RouteOptions>) => RouteOptions,
): void {
  const serve = (name: string): ReturnType<typeof route> => {
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)];
    if (type === undefined) throw new Error(`${folder}/${name}: no content type for its extension`);
    const body = readFileSync(repoPath('src', folder, name), 'utf8');
    return route(options(), ({ res, state }) => {
      send(res, state, 200, body, type, PAGE_HEADERS);
      return undefined;
    });
  };
  const [html, ...assets] = files;
  if (html === undefined) throw new Error(`${folder}: a page needs its HTML file`);
  const page = serve(html);
  app.get(`/${path}`, page);
  app.get(`/${path}/`, page);
  for (const name of assets) app.get(`/${path}/${name}`, serve(name));
}
