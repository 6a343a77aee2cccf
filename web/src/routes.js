// The route table: a page is added to the UI by one entry here.
//
//   path       hash path, may hold :params (passed to the page as `params`)
//   title      i18n key of the page title (and of its nav entry)
//   icon       a short symbol shown beside the nav entry
//   roles      roles that may open the page; leave out for every signed-in user
//   nav        false to keep the page out of the navigation (detail pages)
//   component  the page; it gets { user, params }
import { HomePage } from './pages/Home.jsx';
import { UsersPage } from './pages/Users.jsx';

export const routes = [
  { path: '/', title: 'nav.home', icon: '⌂', component: HomePage },
  { path: '/users', title: 'nav.users', icon: '◉', roles: ['admin'], component: UsersPage },
];

export function allowed(route, user) {
  return !route.roles || (user && route.roles.includes(user.role));
}

export function navRoutes(user) {
  return routes.filter((r) => r.nav !== false && allowed(r, user));
}
