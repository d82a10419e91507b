/**
 * Chat (Mattermost) activities. Each is idempotent by the explicit key the workflow passes (`<incident id>:<step>`):
 * the channel is found by its name (which holds the incident ID), posts by the key stored in their props.
 */
import { ApplicationFailure } from '@temporalio/common';
import { checklistProps, type ChecklistButtons } from '../formats/checklist-attachments.js';
import { neutraliseSpecialMentions } from '../formats/special-mentions.js';
import { renderChecklistPost, type ChecklistPost } from '../formats/checklist-message.js';
import { withOnCallRoles, type ChecklistDraft } from '../domain/checklist-draft.js';
import type { OnCallLookup, OnCallPeople } from './on-call.js';
import { readChecklistPost } from './incident-reader.js';
import type { ChatPort } from './ports/chat.js';
import { IntegrationError } from './ports/integration-error.js';
import { mayExistAlready, runStep } from './run-step.js';
import { messageOf } from '../domain/errors.js';

/** What the pinned checklist post is made from (`post`: what to draw; without it, read through the incident's query). */
interface ChecklistPostRequest {
  key: string;
  incidentId: string;
  channelId: string;
  post?: ChecklistPost;
  /** A first launch's step: its first attempt need not look for a post an earlier attempt made. */
  fresh?: boolean;
}

/** The pinned checklist post, whether this made it or found one an earlier attempt made, and the revision it shows. */
interface PostedChecklist {
  postId: string;
  reused: boolean;
  revision: string;
}

/** Which sidebar category the incident channel goes into, in the incident's team. */
export interface SidebarPlacementRequest {
  key: string;
  team: string;
  category: string;
}

/** The sidebar placed with the invitations (incident-v17), or why not: `forbidden` when the bot may not edit sidebars. */
export type SidebarPlacement = { placed: string[]; missing: string[] } | { error: string; forbidden: boolean };

/** Who is in a playbook's user groups, the groups chat does not know, and why none could be looked at (no user groups). */
export type GroupMembers = Awaited<ReturnType<ChatPort['groupMemberUsernames']>>;

/**
 * The checklist the channel's activity posts once it knows who is on call (incident-v19): the draft, drawn with the
 * roles the playbook gives the on-call (`onCallCommands`: they become the commander).
 */
export interface ChecklistWithOnCall {
  key: string;
  incidentId: string;
  draft: ChecklistDraft;
  onCallCommands: boolean;
  lookup: OnCallLookup;
}

/** A message the header's activity posts beside the header (incident-v20), once per key. */
export interface NoticeWithHeader {
  key: string;
  message: string;
  /** A first launch's step: its first attempt need not look for a post an earlier attempt made. */
  fresh?: boolean;
}

/**
 * How long the channel's activity waits for who is on call: the channel's answer (which the header, the invitations
 * and the meeting's link wait for) is not held up by a slow on-call service. Later, the workflow asks on its own.
 */
export const ON_CALL_WITH_CHANNEL_WAIT_MS = 2_000;

/**
 * The group lookup's failure, saying who was invited without the groups; retried (or not) as the lookup's own failure
 * would be: the retry looks the groups up again and adds everyone (adding a member twice is harmless).
 */
function groupsLookupFailed(failure: unknown, groups: string[], added: string[]): ApplicationFailure {
  const meanwhile = added.length ? `${added.map((username) => `@${username}`).join(', ')} invited meanwhile` : 'nobody invited meanwhile';
  const message = `the user groups ${groups.join(', ')} could not be looked up (${messageOf(failure)}); ${meanwhile}`;
  if (!(failure instanceof ApplicationFailure)) return ApplicationFailure.create({ message, nonRetryable: false });
  return ApplicationFailure.create({
    message,
    ...(failure.type ? { type: failure.type } : {}),
    nonRetryable: failure.nonRetryable === true,
    ...(failure.nextRetryDelay !== undefined ? { nextRetryDelay: failure.nextRetryDelay } : {}),
  });
}

/** The outcome of `work`, or why there is none (it failed, or took longer than `ms`); never a rejection. */
function settledWithin<T>(work: Promise<T>, ms: number): Promise<T | { error: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ error: `no answer within ${ms} ms` }), ms);
  });
  const outcome = work.then(
    (value) => value,
    (error: unknown) => ({ error: messageOf(error) }),
  );
  return Promise.race([outcome, late]).finally(() => clearTimeout(timer));
}

/**
 * `buttons`: where clicks go and how they are signed; without it the checklist post has no buttons. `onCallPeople`:
 * who is on call as chat users (the on-call activities' lookup), for the channel's activity from incident-v19.
 */
export function createChatActivities(chat: ChatPort, buttons?: ChecklistButtons, onCallPeople?: (lookup: OnCallLookup) => Promise<OnCallPeople>) {
  /** The checklist posted and pinned (or, made by an earlier attempt, found and brought up to date). */
  function postPinnedChecklist(request: ChecklistPostRequest): Promise<PostedChecklist> {
    return runStep('mattermost', 'checklistPost', request.key, async () => {
      const [existing, post] = await Promise.all([
        mayExistAlready(request) ? chat.findPostByKey(request.channelId, request.key) : undefined,
        request.post ?? readChecklistPost(),
      ]);
      const props = checklistProps(request.incidentId, post, buttons);
      // An earlier attempt's post shows the incident as it was then: a post read now is drawn over it, so it shows
      // the revision this answers with. (A post given in the request is the one the earlier attempt drew.)
      if (existing && !request.post) await chat.updatePost(existing.id, post.message, request.key, props);
      if (existing) {
        // Made by an earlier attempt, pinned as it was made (or, by a worker from before, maybe not yet): pinning
        // again is a no-op.
        await chat.pinPost(existing.id);
        return { postId: existing.id, reused: true, revision: post.revision };
      }
      // Pinned as it is made: the channel is ready one call sooner.
      const made = await chat.createPost(request.channelId, post.message, request.key, props, { pinned: true });
      return { postId: made.id, reused: false, revision: post.revision };
    });
  }

  /** A notice posted once per key: looked for first unless this is a first attempt that no earlier one can have made. */
  function postNotice(channelId: string, notice: NoticeWithHeader): Promise<{ postId: string }> {
    return runStep('mattermost', 'notice', notice.key, async () => {
      const existing = mayExistAlready(notice) ? await chat.findPostByKey(channelId, notice.key) : undefined;
      return { postId: (existing ?? (await chat.createPost(channelId, notice.message, notice.key))).id };
    });
  }

  /** A post that fails with the channel does not fail the channel: the answer says why, and the workflow posts it. */
  async function postedOrWhyNot(request: ChecklistPostRequest): Promise<PostedChecklist | { error: string }> {
    try {
      return await postPinnedChecklist(request);
    } catch (error) {
      return { error: messageOf(error) };
    }
  }

  /** Who is on call for the channel's activity (incident-v19); a worker without an on-call adapter has no answer. */
  function lookUpOnCall(lookup: OnCallLookup): Promise<OnCallPeople> {
    if (!onCallPeople) return Promise.reject(new Error('this worker has no on-call adapter to look up who is on call'));
    return onCallPeople(lookup);
  }

  /** The channel in each person's custom sidebar category (made when missing); refused (not retried) without the right. */
  function placeInSidebar(request: SidebarPlacementRequest & { channelId: string; usernames: string[] }): Promise<{ placed: string[]; missing: string[] }> {
    // Putting a channel in a category it is already in changes nothing, so a retry simply does it again.
    return runStep('mattermost', 'sidebar', request.key, () =>
      chat.addToSidebarCategory({ team: request.team, channelId: request.channelId, usernames: [...new Set(request.usernames)], category: request.category }),
    );
  }

  return {
    /**
     * Opens the incident's channel. `checklist` (runs from incident-v15, a first launch whose checklist does not wait
     * for the on-call lookup): the checklist is posted and pinned in the same activity, so the channel is ready without
     * a workflow task and an activity between the two calls. The checklist's failure does not fail the channel: it is
     * answered (`checklistPost.error`) and the workflow posts it with the `postChecklist` activity and its retries.
     */
    async openIncidentChannel(request: {
      key: string;
      team: string;
      name: string;
      displayName: string;
      purpose: string;
      private: boolean;
      /** A first launch's step: its first attempt need not look for a channel an earlier attempt made. */
      fresh?: boolean;
      checklist?: { key: string; incidentId: string; post: ChecklistPost };
      /** Runs from incident-v19: who is on call, looked up meanwhile, and the checklist drawn with them. */
      checklistWithOnCall?: ChecklistWithOnCall;
    }): Promise<{
      channelId: string;
      channelName: string;
      channelUrl: string;
      reused: boolean;
      checklistPost?: PostedChecklist | { error: string };
      onCall?: OnCallPeople | { error: string };
    }> {
      const withOnCall = request.checklistWithOnCall;
      // Who is on call, asked while the channel is made (the worker's answer of moments ago when it has one).
      const onCallAnswer = withOnCall ? settledWithin(lookUpOnCall(withOnCall.lookup), ON_CALL_WITH_CHANNEL_WAIT_MS) : undefined;
      const opened = await runStep('mattermost', 'channel', request.key, async () => {
        const existing = mayExistAlready(request) ? await chat.findChannelByName(request.team, request.name) : undefined;
        const { fresh: _fresh, checklist: _checklist, checklistWithOnCall: _withOnCall, ...channelRequest } = request;
        const channel = existing ?? (await chat.createChannel(channelRequest));
        return {
          channelId: channel.id,
          channelName: channel.name,
          channelUrl: chat.channelUrl(request.team, channel.name),
          reused: existing !== undefined,
        };
      });
      if (withOnCall && onCallAnswer) {
        const onCall = await onCallAnswer;
        // Without an answer nothing is drawn: the workflow asks with the on-call's own activity, then posts.
        if ('error' in onCall) return { ...opened, onCall };
        const draft = withOnCallRoles(withOnCall.draft, onCall.found[0], withOnCall.onCallCommands);
        const checklist = { key: withOnCall.key, incidentId: withOnCall.incidentId, post: renderChecklistPost(draft) };
        return { ...opened, onCall, checklistPost: await postedOrWhyNot({ ...checklist, channelId: opened.channelId, fresh: !opened.reused }) };
      }
      if (!request.checklist) return opened;
      // A channel this attempt made has no post yet; one found was made by an earlier attempt, which may have posted.
      return { ...opened, checklistPost: await postedOrWhyNot({ ...request.checklist, channelId: opened.channelId, fresh: !opened.reused }) };
    },

    /**
     * Adds the people to the channel. `members` (runs from incident-v13): then also who is in the channel, the launch's
     * first look at the members (one activity and a workflow task less than looking separately); a failed look leaves
     * `members` out and the workflow looks on its own, as before, rather than fail invitations that were made.
     */
    async inviteParticipants(request: {
      key: string;
      channelId: string;
      usernames: string[];
      members?: boolean;
      /** Runs from incident-v17: the channel also goes into these people's sidebar category, once they are in it. */
      sidebar?: SidebarPlacementRequest;
      /** Runs from incident-v18: the playbook's user groups, whose members are looked up here and invited too. */
      groups?: string[];
    }): Promise<{ added: string[]; missing: string[]; members?: string[]; sidebar?: SidebarPlacement; groupMembers?: GroupMembers }> {
      // Who is in the groups, decided now (a lookup: a retry simply looks again). A lookup that fails fails the
      // invitations, as the groupMembers activity's failure did before, but only once the people known without the
      // groups (the reporter, the on-call, the playbook's own) are in: they are not kept out while the lookup is retried.
      const groups = request.groups ?? [];
      let groupMembers: GroupMembers | undefined;
      let groupsFailure: unknown;
      if (groups.length) {
        try {
          groupMembers = await runStep('mattermost', 'groupMembers', request.key, () => chat.groupMemberUsernames(groups));
        } catch (error) {
          groupsFailure = error;
        }
      }
      const usernames = [...new Set([...request.usernames, ...(groupMembers?.found ?? [])])];
      // Adding a member twice is harmless in Mattermost, so a retry simply adds again.
      const invited = await runStep('mattermost', 'invite', request.key, async () => {
        const added = await chat.addChannelMembers(request.channelId, usernames);
        if (!request.members) return added;
        const members = await chat.listChannelMembers(request.channelId).catch(() => undefined);
        return members ? { ...added, members } : added;
      });
      if (groupsFailure !== undefined) throw groupsLookupFailed(groupsFailure, groups, invited.added);
      const answer = groupMembers ? { ...invited, groupMembers } : invited;
      if (!request.sidebar) return answer;
      // The invitations are made: a placement that fails does not fail them. The answer says why, and the workflow
      // places the channel with placeInSidebar and its retries (or skips the step when the bot may not).
      try {
        return { ...answer, sidebar: await placeInSidebar({ ...request.sidebar, channelId: request.channelId, usernames }) };
      } catch (error) {
        const forbidden = error instanceof ApplicationFailure && error.type === 'ChatForbidden';
        return { ...answer, sidebar: { error: messageOf(error), forbidden } };
      }
    },

    async usernamesForEmails(request: { key: string; emails: string[] }): Promise<{ found: string[]; missing: string[] }> {
      return runStep('mattermost', 'oncall', request.key, () => chat.usernamesForEmails(request.emails));
    },

    /**
     * Posts and pins the checklist. `post`: what to draw, from runs before incident-launch-lean-v10; without it the
     * post is read through the incident's `checklistPost` query (never older than the state this was scheduled in), so
     * the workflow's history holds this small request only. Answers with the revision the post shows.
     */
    async postChecklist(request: ChecklistPostRequest): Promise<PostedChecklist> {
      return postPinnedChecklist(request);
    },

    /**
     * Re-renders the pinned checklist post in place (the workflow coalesces bursts of changes into one call). Without
     * `post` (runs under incident-launch-lean-v10) it reads the post through the incident's query, as postChecklist.
     */
    async refreshChecklist(request: { key: string; incidentId: string; postId: string; post?: ChecklistPost }): Promise<{ revision: string }> {
      return runStep('mattermost', 'checklistRefresh', request.key, async () => {
        const post = request.post ?? (await readChecklistPost());
        await chat.updatePost(request.postId, post.message, request.key, checklistProps(request.incidentId, post, buttons));
        return { revision: post.revision };
      });
    },

    /** A message from the incident bot in the channel, posted once per key. */
    async postChannelNotice(request: { key: string; channelId: string; message: string }): Promise<{ postId: string }> {
      return postNotice(request.channelId, request);
    },

    /**
     * The channel's header; with `notice`, also a message in the channel beside it (from incident-v20 the bridge's
     * link, which waits for the meeting as the header does: one activity and one workflow task less per launch). The
     * notice does not fail the header: the answer says why it was not posted, and the workflow posts it on its own.
     */
    async setChannelHeader(request: { key: string; channelId: string; header: string; notice?: NoticeWithHeader }): Promise<{ notice?: { postId: string } | { error: string } }> {
      const header = runStep('mattermost', 'channelHeader', request.key, () => chat.setChannelHeader(request.channelId, request.header));
      if (!request.notice) {
        await header;
        return {};
      }
      // Both settle before the answer: a header that fails is tried again with the notice, which must be in by then to
      // be found (not posted twice).
      const [headerSet, notice] = await Promise.allSettled([header, postNotice(request.channelId, request.notice)]);
      if (headerSet.status === 'rejected') throw headerSet.reason;
      return { notice: notice.status === 'fulfilled' ? notice.value : { error: messageOf(notice.reason) } };
    },

    /** Who is in the channel now (usernames): the workflow compares looks to see who joined or left. */
    async channelMembers(request: { key: string; channelId: string }): Promise<string[]> {
      return runStep('mattermost', 'channelMembers', request.key, () => chat.listChannelMembers(request.channelId));
    },

    /** The incident channel in everyone's custom sidebar category; refused (not retried) when the bot lacks the right. */
    async placeInSidebar(request: SidebarPlacementRequest & { channelId: string; usernames: string[] }): Promise<{ placed: string[]; missing: string[] }> {
      return placeInSidebar(request);
    },

    /** A copy of a status update in another channel (by name, in the incident's team), posted once per key. */
    async broadcastToChannel(request: { key: string; team: string; channelName: string; message: string }): Promise<{ postId: string }> {
      return runStep('mattermost', 'broadcast', request.key, async () => {
        const channel = await chat.findChannelByName(request.team, request.channelName);
        if (!channel) {
          throw new IntegrationError(
            'chat',
            `there is no channel "${request.channelName}" in team "${request.team}" that the bot can see; add the bot to it or fix the playbook's broadcast channels`,
            false,
            'BroadcastChannelNotFound',
          );
        }
        const existing = await chat.findPostByKey(channel.id, request.key);
        // The update's author may ping the incident channel, not every channel it is broadcast to.
        return { postId: (existing ?? (await chat.createPost(channel.id, neutraliseSpecialMentions(request.message), request.key))).id };
      });
    },

    /** The playbook's welcome message to someone who joined the channel, as a direct message from the bot. */
    async sendDirectMessage(request: { key: string; username: string; message: string }): Promise<{ postId: string }> {
      return runStep('mattermost', 'directMessage', request.key, async () => ({ postId: (await chat.sendDirectMessage(request.username, request.message, request.key)).id }));
    },

    /** The closed incident's channel out of its members' sidebar categories (they keep the open incidents only). */
    async leaveSidebars(request: { key: string; channelId: string }): Promise<{ people: number }> {
      return runStep('mattermost', 'leaveSidebars', request.key, () => chat.takeOutOfSidebars(request.channelId));
    },

    async archiveChannel(request: { key: string; channelId: string }): Promise<void> {
      return runStep('mattermost', 'archiveChannel', request.key, () => chat.archiveChannel(request.channelId));
    },
  };
}
