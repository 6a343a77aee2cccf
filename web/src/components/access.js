// What the signed-in user may do, as the server said in /api/v1/me
// (`permissions`, codes from GET /api/v1/meta). The server decides again on
// every request; these checks only keep the UI from offering what it would
// refuse. No role names here: a role's permissions live in lib/role.c alone.

/** Whether the user holds the permission with this code ("people.read"). */
export const can = (user, perm) => !!user && Array.isArray(user.permissions) && user.permissions.includes(perm);

export const canReadPeople = (user) => can(user, 'people.read');
export const canWritePeople = (user) => can(user, 'people.write');
/** Adding, renaming, moving and retiring areas, assigning staff, importing areas and venues. */
export const canEditAreas = (user) => can(user, 'areas.write');

/** The level under `level` in the server's list (levels top first); the last one stays. */
export function childLevel(levels, level) {
  const i = levels.indexOf(level);
  return i >= 0 && i < levels.length - 1 ? levels[i + 1] : levels[levels.length - 1];
}

/** "a;b;c" as a list, empty entries dropped. */
export const splitTags = (s) => (s || '').split(/[;；]/).map((x) => x.trim()).filter(Boolean);
