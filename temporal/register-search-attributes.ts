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

const GRPC_NOT_FOUND = 5;
const isNotFound = (error: unknown) => (error as { code?: number } | null)?.code === GRPC_NOT_FOUND;

/**
 * Registers the namespace when the cluster has none by that name (a new self-hosted cluster), with this retention for
 * closed incidents' histories; says whether it did. Temporal Cloud namespaces exist already (and cannot be made here).
 * A new namespace takes the frontend a few seconds to see: this waits until it answers.
 */
export async function ensureNamespace(connection: Connection, namespace: string, retentionDays: number, timeoutMs = 60_000): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return false;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  // protobufjs takes a plain number for an int64 (the type says Long).
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: (retentionDays * 86_400) as never } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await connection.operatorService.listSearchAttributes({ namespace });
      return true;
    } catch (error) {
      if (!isNotFound(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
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
