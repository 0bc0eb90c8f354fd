/** The start-up banner: where things are, and a copy-paste walk through one petition. */
import type { Catalog } from '../../shared/catalog/load.ts';

/** The README's curl tour, generated from the catalog so the example always matches the templates. */
export function curlTour(url: string, catalog: Catalog, typeId = 'basic-pension'): string {
  const type = catalog.petitionTypes.get(typeId) ?? [...catalog.petitionTypes.values()][0]!;
  const body = JSON.stringify({ type: type.id, fields: type.example.fields, consent: { documents: type.evidence.map((e) => e.id) } });
  return [
    `# 1. Log in as a demo citizen (development identity provider)`,
    `TOKEN=$(curl -s -X POST ${url}/dev/idp/token -H 'content-type: application/json' \\`,
    `  -d '{"subject": "${type.example.subject}"}' | sed -E 's/.*"id_token":"([^"]+)".*/\\1/')`,
    `# 2. Submit a ${type.name.en} (${type.name.ko}): no attachments, the documents are fetched for you`,
    `PETITION=$(curl -s -X POST ${url}/v1/petitions -H "authorization: Bearer $TOKEN" \\`,
    `  -H 'content-type: application/json' -H "idempotency-key: demo-$(date +%s)" \\`,
    `  -d '${body}' | sed -E 's/.*"id":"([^"]+)".*/\\1/')`,
    `# 3. Watch it go from RECEIVED to a decision`,
    `curl -s ${url}/v1/petitions/$PETITION -H "authorization: Bearer $TOKEN"`,
    `# 4. The signed result, and the root certificate that validates it offline (or drop it on ${url}/verify)`,
    `curl -s -o result.pdf ${url}/v1/petitions/$PETITION/result.pdf -H "authorization: Bearer $TOKEN"`,
    `curl -s -o root.pem ${url}/v1/trust/root.pem`,
    `npx hanbeon verify result.pdf --trust root.pem`,
  ].join('\n');
}

export function banner(url: string, catalog: Catalog, dataDir: string, agencies: { id: string; baseUrl: string }[], resumed = 0): string {
  return [
    `hanbeon (embedded) is listening on ${url}`,
    `  data:      ${dataDir}${resumed > 0 ? ` (resumed ${resumed} unfinished petition${resumed === 1 ? '' : 's'}; finished steps are not repeated)` : ''}`,
    `  API:       ${url}/openapi.json`,
    `  agencies:  ${agencies.map((a) => `${a.id} ${a.baseUrl}`).join(', ')} (simulated)`,
    `  identity:  ${url}/dev/idp (development provider; demo citizens at ${url}/dev/idp/citizens)`,
    '',
    curlTour(url, catalog),
    '',
    'Ctrl-C stops; unfinished petitions resume at the next start.',
  ].join('\n');
}
