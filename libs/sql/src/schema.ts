/**
 * The versioned aspect table: version 0 is always the latest value, 1..n the history.
 * Portable between MySQL 8 and MariaDB 10.11; utf8mb4_bin so URNs compare byte for byte.
 */
export const CREATE_METADATA_ASPECT_V2 = `
CREATE TABLE IF NOT EXISTS metadata_aspect_v2 (
  urn            VARCHAR(500)  NOT NULL,
  aspect         VARCHAR(200)  NOT NULL,
  version        BIGINT        NOT NULL,
  metadata       LONGTEXT      NOT NULL,
  systemmetadata LONGTEXT      NULL,
  createdon      DATETIME(6)   NOT NULL,
  createdby      VARCHAR(255)  NOT NULL,
  createdfor     VARCHAR(255)  NULL,
  CONSTRAINT pk_metadata_aspect_v2 PRIMARY KEY (urn, aspect, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
