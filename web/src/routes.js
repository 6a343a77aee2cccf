// The route table: a page is added to the UI by one entry here.
//
//   path       hash path, may hold :params (passed to the page as `params`)
//   title      i18n key of the page title (and of its nav entry)
//   icon       a short symbol shown beside the nav entry
//   perm       the permission code (from /api/v1/me) a user needs to open the
//              page; leave out for every signed-in user
//   nav        false to keep the page out of the navigation (detail pages)
//   badge      a component drawn beside the nav entry (gets { user, path })
//   component  the page; it gets { user, params }
import { can } from './components/access.js';
import { lazyPage } from './components/lazy.jsx';
import { AreasPage } from './pages/Areas.jsx';
import { TaskBadge } from './pages/cases/common.jsx';
import { HomePage } from './pages/Home.jsx';
import { ImportPage } from './pages/Import.jsx';
import { LedgerPage, LedgersPage } from './pages/Ledgers.jsx';
import { ResidentPage } from './pages/Resident.jsx';
import { ResidentsPage } from './pages/Residents.jsx';
import { UsersPage } from './pages/Users.jsx';

// Module pages load on first use (components/lazy.jsx); the registry's are in app.js.
const CasesPage = lazyPage(() => import('./pages/cases/Cases.jsx').then((m) => m.CasesPage));
const CasePage = lazyPage(() => import('./pages/cases/Case.jsx').then((m) => m.CasePage));
const CaseNewPage = lazyPage(() => import('./pages/cases/CaseNew.jsx').then((m) => m.CaseNewPage));
const BoardPage = lazyPage(() => import('./pages/cases/Board.jsx').then((m) => m.BoardPage));
const CalendarPage = lazyPage(() => import('./pages/Calendar.jsx').then((m) => m.CalendarPage));

export const routes = [
  { path: '/', title: 'nav.home', icon: '⌂', component: HomePage },
  { path: '/areas', title: 'nav.areas', icon: '▦', perm: 'areas.read', component: AreasPage },
  { path: '/areas/:code', title: 'nav.areas', perm: 'areas.read', nav: false, component: AreasPage },
  { path: '/residents', title: 'nav.residents', icon: '☷', perm: 'people.read', component: ResidentsPage },
  { path: '/residents/:id', title: 'resident.title', perm: 'people.read', nav: false, component: ResidentPage },
  { path: '/ledgers', title: 'nav.ledgers', icon: '▤', perm: 'people.read', component: LedgersPage },
  { path: '/ledgers/:name', title: 'nav.ledgers', perm: 'people.read', nav: false, component: LedgerPage },
  { path: '/cases', title: 'nav.cases', icon: '✓', perm: 'cases.read', badge: TaskBadge, component: CasesPage },
  { path: '/cases/:id', title: 'nav.cases', perm: 'cases.read', nav: false, component: CasePage },
  { path: '/report', title: 'nav.case_new', icon: '✚', perm: 'cases.write', component: CaseNewPage },
  { path: '/case-board', title: 'nav.case_board', icon: '▥', perm: 'cases.read', component: BoardPage },
  { path: '/import', title: 'nav.import', icon: '⇪', perm: 'people.write', component: ImportPage },
  { path: '/users', title: 'nav.users', icon: '◉', perm: 'users.write', component: UsersPage },
  { path: '/calendar', title: 'nav.calendar', icon: '▣', perm: 'calendar.write', component: CalendarPage },
];

export function allowed(route, user) {
  return !route.perm || can(user, route.perm);
}

export function navRoutes(user) {
  return routes.filter((r) => r.nav !== false && allowed(r, user));
}
