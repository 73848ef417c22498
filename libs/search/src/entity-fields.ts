/**
 * The searchable fields of an entity document that one aspect owns. Each aspect sets all of its fields
 * (null when its latest value lacks one), so a value that dropped a description clears it in search too.
 * The whole value is kept under `aspects` anyway; these are only what the index maps for searching.
 */
export function searchableFields(aspect: string, value: Record<string, unknown>): Record<string, unknown> {
  switch (aspect) {
    case 'status':
      return { removed: value.removed === true };
    case 'globalTags':
      return { tags: urnsIn(value.tags, 'tag') };
    case 'glossaryTerms':
      return { glossaryTerms: urnsIn(value.terms, 'urn') };
    case 'ownership':
      return { owners: urnsIn(value.owners, 'owner') };
  }
  // datasetProperties, chartInfo, corpUserInfo, glossaryTermInfo ...: each entity has one such aspect.
  if (/(Properties|Info)$/.test(aspect)) {
    return {
      name: firstText(value, ['name', 'displayName', 'title', 'fullName']),
      description: firstText(value, ['description', 'definition']),
    };
  }
  return {};
}

/** `[{tag: 'urn:li:tag:pii'}, ...]` -> `['urn:li:tag:pii', ...]`; anything malformed is left out. */
function urnsIn(list: unknown, field: string): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>)[field] : undefined))
    .filter((v): v is string => typeof v === 'string');
}

function firstText(value: Record<string, unknown>, fields: string[]): string | null {
  for (const field of fields) if (typeof value[field] === 'string') return value[field] as string;
  return null;
}
