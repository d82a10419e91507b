/** All activities the incident worker registers, built from their dependencies (real or sandbox adapters). */
import { createLaunchActivities, type LaunchActivityDependencies } from './launch.js';

export type ActivityDependencies = LaunchActivityDependencies;

export function createActivities(deps: ActivityDependencies) {
  return { ...createLaunchActivities(deps) };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
