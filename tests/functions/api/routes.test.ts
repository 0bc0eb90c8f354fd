/** The published API: what every deployment serves. Local-only routes are not part of it. */
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../functions/api/routes.ts';

describe('the API route table', () => {
  it('has no development route: the identity provider and simulator views exist only in local mode', () => {
    expect(API_ROUTES.filter((r) => r.path.startsWith('/dev'))).toEqual([]);
  });

  it('requires a citizen token on every petition route', () => {
    const petitionRoutes = API_ROUTES.filter((r) => r.path.startsWith('/v1/petitions'));
    expect(petitionRoutes.map((r) => r.path)).toEqual(['/v1/petitions', '/v1/petitions/{id}', '/v1/petitions/{id}/result.pdf', '/v1/petitions/{id}/events']);
    expect(petitionRoutes.every((r) => r.auth === 'citizen')).toBe(true);
  });

  it('has one entry per method and path', () => {
    const keys = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
