// How a policy's ResourceRef names a router, route table or attachment: by ID, exactly, or by
// name, exactly or (ending in `*`) by the start of the name. Shared by the engines that read a policy.
import type { ResourceRef } from './model.js';

/** A resource as far as a reference can name it. */
export interface Named {
  id: string;
  name: string | null;
}

/** Whether the reference names this resource. A resource without a name matches by ID only. */
export function refMatches(ref: ResourceRef, resource: Named): boolean {
  if ('id' in ref) return ref.id === resource.id;
  if (resource.name === null) return false;
  return isPattern(ref) ? resource.name.startsWith(ref.name.slice(0, -1)) : ref.name === resource.name;
}

/** Whether the reference is a name pattern (`rtb-dev*`): it may rightly match nothing. */
export function isPattern(ref: ResourceRef): boolean {
  return 'name' in ref && ref.name.endsWith('*');
}

/** The reference in words: `rtb-prod`, `names starting rtb-dev`, `ID b1b2…`. */
export function describeRef(ref: ResourceRef): string {
  if ('id' in ref) return `ID ${ref.id}`;
  return isPattern(ref) ? `names starting "${ref.name.slice(0, -1)}"` : `"${ref.name}"`;
}

/** `rtb-prod (b1b2…)`, or the ID alone when the resource has no name. */
export function describeNamed(resource: Named): string {
  return resource.name ? `${resource.name} (${resource.id})` : resource.id;
}
