/**
 * Registers the incident search attributes on a Temporal cluster (the dev server gets them from its start flags). Safe to
 * run again: attributes that already exist with the right type are left alone; one with a wrong type is reported, since
 * Temporal cannot change an attribute's type in place.
 */
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
// @temporalio/proto is CommonJS: under Node's ESM loader (tsx, npm run temporal:setup) only its default export is there.
import proto from '@temporalio/proto';
import { INCIDENT_SEARCH_ATTRIBUTES } from './search-attributes.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPE: Record<string, number> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export interface RegistrationReport {
  created: string[];
  present: string[];
  /** Attributes that exist with another type: "Name (is Text, needs Keyword)". */
  conflicting: string[];
}

export async function registerIncidentSearchAttributes(connection: Connection, namespace: string): Promise<RegistrationReport> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const report: RegistrationReport = { created: [], present: [], conflicting: [] };
  const missing: Record<string, number> = {};
  for (const key of INCIDENT_SEARCH_ATTRIBUTES) {
    const wanted = INDEXED_TYPE[key.type]!;
    const have = custom[key.name];
    if (have === undefined || have === null) missing[key.name] = wanted;
    else if (have === wanted) report.present.push(key.name);
    else report.conflicting.push(`${key.name} (is ${IndexedValueType[have] ?? have}, needs ${IndexedValueType[wanted]})`);
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    report.created.push(...Object.keys(missing));
  }
  return report;
}
