// Who may do what in the registry pages. The server decides again on every
// request (lib/role.c); these lists only keep the UI from offering what the
// server would refuse.

/** Roles that may read residents and ledgers (CG_PERM_PEOPLE_READ). */
export const PEOPLE_READ = [
  'admin', 'centre', 'commander', 'grid_head', 'grid_worker', 'assistant',
  'building_head', 'cdc', 'sampler',
];

/** Roles that may add, correct and tag residents (CG_PERM_PEOPLE_WRITE). */
export const PEOPLE_WRITE = ['admin', 'centre', 'commander', 'grid_head', 'grid_worker', 'assistant'];

/** Roles that may import CSV files. */
export const IMPORT_ROLES = PEOPLE_WRITE;

/** Roles that may browse the jurisdiction tree (everyone but residents). */
export const AREA_READ = [
  'admin', 'centre', 'commander', 'grid_head', 'grid_worker', 'assistant',
  'building_head', 'department', 'cdc', 'sampler', 'checkpoint',
];

export const canReadPeople = (user) => !!user && PEOPLE_READ.includes(user.role);
export const canWritePeople = (user) => !!user && PEOPLE_WRITE.includes(user.role);
/** Adding, renaming, moving and retiring areas, and assigning staff. */
export const canEditAreas = (user) => !!user && user.role === 'admin';

/** Area levels top-down, as lib/area.c knows them. */
export const AREA_LEVELS = ['city', 'county', 'town', 'community', 'grid', 'micro_grid', 'building'];

/** The level a new child of `level` most likely has. */
export function childLevel(level) {
  const i = AREA_LEVELS.indexOf(level);
  return i >= 0 && i < AREA_LEVELS.length - 1 ? AREA_LEVELS[i + 1] : 'building';
}

/** Positions of the five-level chain, top first. */
export const POSITIONS = ['commander', 'grid_head', 'grid_worker', 'assistant', 'building_head', 'street_head'];

export const RESIDENT_STATUSES = ['active', 'moved_out', 'deceased'];
export const RESIDENT_TYPES = ['permanent', 'floating'];

/** "a;b;c" as a list, empty entries dropped. */
export const splitTags = (s) => (s || '').split(/[;；]/).map((x) => x.trim()).filter(Boolean);
