import { existsSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { EntityRegistry } from './entity-registry';
import { RegistryError } from './registry-file';

export const REGISTRY_FILE_NAME = 'entity-registry.json';

/**
 * Where the bundled registry is: `../registry/` beside `src/`, which holds both in the source tree
 * (libs/metadata/src under ts-jest) and in the build (the Nest CLI copies the file to
 * dist/libs/metadata/registry). If the compiled code lands deeper (dist/apps/x/libs/metadata/src), the
 * walk up finds `<ancestor>/libs/metadata/registry/` instead.
 */
export function defaultRegistryPath(fromDir: string = __dirname): string {
  const candidates = [resolve(fromDir, '../registry', REGISTRY_FILE_NAME)];
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    candidates.push(join(dir, 'libs/metadata/registry', REGISTRY_FILE_NAME));
    if (dirname(dir) === dir) break;
  }
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new RegistryError(`entity registry not found; looked for ${candidates.join(', ')}`);
  return found;
}

/**
 * Reads and checks the registry. `registryPath` overrides the bundled file; callers pass the
 * ENTITY_REGISTRY_PATH setting here (this lib does not read the environment itself).
 */
export function loadEntityRegistry(registryPath?: string): EntityRegistry {
  const path = registryPath ? resolve(registryPath) : defaultRegistryPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RegistryError(`cannot read entity registry ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RegistryError(`entity registry ${path} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return new EntityRegistry(data);
  } catch (err) {
    if (err instanceof RegistryError) throw new RegistryError(`entity registry ${path}: ${err.message}`);
    throw err;
  }
}
