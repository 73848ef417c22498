import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { RegistryError } from './registry-file';
import { REGISTRY_FILE_NAME, defaultRegistryPath, loadEntityRegistry } from './registry-loader';

const BUNDLED = resolve(__dirname, '../registry', REGISTRY_FILE_NAME);

describe('loadEntityRegistry', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'registry-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the bundled registry by default', () => {
    expect(defaultRegistryPath()).toBe(BUNDLED);
    const registry = loadEntityRegistry();
    expect(registry.name).toBe('default');
    expect(registry.entityNames()).toContain('dataset');
  });

  it('treats an empty override as no override', () => {
    expect(loadEntityRegistry('').entityNames()).toContain('dataset');
  });

  it('loads an override path (ENTITY_REGISTRY_PATH, passed in by the caller)', () => {
    const path = join(dir, 'custom.json');
    writeFileSync(
      path,
      JSON.stringify({
        name: 'custom',
        version: '2',
        aspects: { widgetKey: { kind: 'versioned', schema: { type: 'object' } } },
        entities: [{ name: 'widget', keyAspect: 'widgetKey', aspects: [] }],
      }),
    );
    const registry = loadEntityRegistry(path);
    expect(registry.name).toBe('custom');
    expect(registry.entityNames()).toEqual(['widget']);
  });

  it('names the file when it is missing', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadEntityRegistry(path)).toThrow(RegistryError);
    expect(() => loadEntityRegistry(path)).toThrow(`cannot read entity registry ${path}`);
  });

  it('names the file when it is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "name": ');
    expect(() => loadEntityRegistry(path)).toThrow(`entity registry ${path} is not valid JSON`);
  });

  it('names the file and the problem when the content is wrong', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ name: 'x', version: '1', aspects: {}, entities: [{ name: 'a' }] }));
    expect(() => loadEntityRegistry(path)).toThrow(`entity registry ${path}: entity "a": missing keyAspect`);
  });
});

describe('defaultRegistryPath', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dist-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function placeRegistry(at: string): string {
    mkdirSync(at, { recursive: true });
    cpSync(BUNDLED, join(at, REGISTRY_FILE_NAME));
    return join(at, REGISTRY_FILE_NAME);
  }

  it('finds the copy beside compiled code in dist/libs/metadata/src', () => {
    const file = placeRegistry(join(dir, 'dist/libs/metadata/registry'));
    mkdirSync(join(dir, 'dist/libs/metadata/src'), { recursive: true });
    expect(defaultRegistryPath(join(dir, 'dist/libs/metadata/src'))).toBe(file);
  });

  it('finds dist/libs/metadata/registry from code compiled under dist/apps/<app>/libs/metadata/src', () => {
    const file = placeRegistry(join(dir, 'dist/libs/metadata/registry'));
    expect(defaultRegistryPath(join(dir, 'dist/apps/gms/libs/metadata/src'))).toBe(file);
  });
});
