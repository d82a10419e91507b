/**
 * The checklist post model (formats/checklist-message.ts) as Mattermost message attachments, whose every button and
 * menu calls our API with a signed context (`{ sig }`), so a click cannot be forged or pointed at another incident.
 * Pure: the signature comes from the caller's `sign`, which holds the secret (the activity's, never workflow history).
 */
import type { ChecklistPost } from './checklist-message.js';

/** What a click's signed context carries. */
export interface ActionClaims {
  /** incident ID */
  i: string;
  /** intent */
  a: string;
  /** checklist revision the button was rendered for */
  r: string;
}

/** Checklist buttons: where Mattermost sends clicks, and how their claims are signed for the API to verify. */
export interface ChecklistButtons {
  /** <public API URL>/mattermost/actions */
  actionUrl: string;
  sign(claims: ActionClaims): string;
}

export function checklistProps(incidentId: string, post: ChecklistPost, buttons: ChecklistButtons | undefined): Record<string, unknown> {
  return {
    attachments: post.attachments.map((attachment) => ({
      title: attachment.title,
      text: attachment.text,
      ...(buttons
        ? {
            actions: attachment.actions.map((action) => ({
              id: action.id,
              name: action.name,
              type: action.type,
              ...(action.style ? { style: action.style } : {}),
              ...(action.options ? { options: action.options } : {}),
              integration: {
                url: buttons.actionUrl,
                context: { sig: buttons.sign({ i: incidentId, a: action.intent, r: post.revision }) },
              },
            })),
          }
        : {}),
    })),
  };
}
