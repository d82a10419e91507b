/**
 * The search attributes that let ops filter incidents in the Temporal Web UI and with `temporal workflow list --query`.
 * Workflow-safe (only @temporalio/common): the incident workflow imports these keys to keep the values current.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const IncidentStatusKey = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const IncidentSeverityKey = defineSearchAttributeKey('IncidentSeverity', SearchAttributeType.KEYWORD);
export const IncidentCommanderKey = defineSearchAttributeKey('IncidentCommander', SearchAttributeType.KEYWORD);
export const IncidentPlaybookKey = defineSearchAttributeKey('IncidentPlaybook', SearchAttributeType.KEYWORD);
export const IncidentTeamKey = defineSearchAttributeKey('IncidentTeam', SearchAttributeType.KEYWORD);
/** The Mattermost channel ID of the incident's channel: how a slash command in that channel finds its incident. */
export const IncidentChannelKey = defineSearchAttributeKey('IncidentChannel', SearchAttributeType.KEYWORD);

export const INCIDENT_SEARCH_ATTRIBUTES = [
  IncidentStatusKey,
  IncidentSeverityKey,
  IncidentCommanderKey,
  IncidentPlaybookKey,
  IncidentTeamKey,
  IncidentChannelKey,
] as const;

/** The CLI's spelling of a type, for `--search-attribute Name=Type` and `operator search-attribute create --type`. */
export const CLI_TYPE_NAME: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};
