/**
 * The team of incidents that name none (REST starts without `team`, alerts whose rule names none): MATTERMOST_DEFAULT_TEAM,
 * else the bot's only team (asked of Mattermost at start), else the literal "default" of the sandbox and the tests.
 */
export async function resolveDefaultTeam(
  configured: string | undefined,
  chat: { teamNames(): Promise<string[]> } | undefined,
  warn: (message: string) => void,
): Promise<string> {
  if (configured) return configured;
  if (!chat) return 'default';
  try {
    const teams = await chat.teamNames();
    if (teams.length === 1) return teams[0]!;
    warn(
      teams.length === 0
        ? 'the bot is in no Mattermost team: incidents that name no team go to "default"; add the bot to a team or set MATTERMOST_DEFAULT_TEAM'
        : `the bot is in ${teams.length} teams (${teams.slice(0, 5).join(', ')}): incidents that name no team go to "default"; set MATTERMOST_DEFAULT_TEAM`,
    );
  } catch (error) {
    warn(`could not ask Mattermost for the bot's teams (${error instanceof Error ? error.message : String(error)}): incidents that name no team go to "default"`);
  }
  return 'default';
}
