/** OpenSearch index names, in DataHub's naming so existing dashboards and tooling find them. */

/** `dataset` -> `datasetindex_v2` */
export function entityIndexName(entityName: string): string {
  return `${entityName.toLowerCase()}index_v2`;
}

/** (`dataset`, `datasetProfile`) -> `dataset_datasetprofileaspect_v1` */
export function timeseriesIndexName(entityName: string, aspectName: string): string {
  return `${entityName.toLowerCase()}_${aspectName.toLowerCase()}aspect_v1`;
}
