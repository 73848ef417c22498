/**
 * The `metadata` of a tombstone: the latest row of a deleted aspect. Its value is JSON null; its system
 * metadata, actor and time are the delete's, so a deletion is audited and traced like any write.
 */
export const TOMBSTONE = 'null';

/** One row of metadata_aspect_v2 as the code sees it: JSON columns parsed, times in epoch ms. */
export interface AspectRow {
  urn: string;
  aspect: string;
  version: number;
  /** The aspect value (parsed `metadata`). */
  value: unknown;
  /** Parsed `systemmetadata`; null when the column is empty. */
  systemMetadata: Record<string, unknown> | null;
  createdOn: number;
  createdBy: string;
  createdFor: string | null;
}

export interface RawAspectRow {
  urn: string;
  aspect: string;
  version: string | number;
  metadata: string;
  systemmetadata: string | null;
  createdon: Date | string;
  createdby: string;
  createdfor: string | null;
}

function parseJson(text: string | null): unknown {
  if (text === null || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    // A row written by another tool with non-JSON content: keep it readable rather than fail the read.
    return text;
  }
}

export function toAspectRow(raw: RawAspectRow): AspectRow {
  const sm = parseJson(raw.systemmetadata);
  const created = raw.createdon instanceof Date ? raw.createdon.getTime() : Date.parse(`${String(raw.createdon).replace(' ', 'T')}Z`);
  return {
    urn: raw.urn,
    aspect: raw.aspect,
    version: Number(raw.version),
    value: parseJson(raw.metadata),
    systemMetadata: sm && typeof sm === 'object' ? (sm as Record<string, unknown>) : null,
    createdOn: created,
    createdBy: raw.createdby,
    createdFor: raw.createdfor,
  };
}

/** What a trace reads of a latest row: its system metadata and when it was written, not the value. */
export interface AspectRowHeader {
  urn: string;
  aspect: string;
  /** Parsed `systemmetadata`; null when the column is empty. */
  systemMetadata: Record<string, unknown> | null;
  createdOn: number;
}

export function toAspectRowHeader(raw: Pick<RawAspectRow, 'urn' | 'aspect' | 'systemmetadata' | 'createdon'>): AspectRowHeader {
  const sm = parseJson(raw.systemmetadata);
  return {
    urn: raw.urn,
    aspect: raw.aspect,
    systemMetadata: sm && typeof sm === 'object' ? (sm as Record<string, unknown>) : null,
    createdOn: raw.createdon instanceof Date ? raw.createdon.getTime() : Date.parse(`${String(raw.createdon).replace(' ', 'T')}Z`),
  };
}
