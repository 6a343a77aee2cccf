import { useEffect, useRef, useState } from 'preact/hooks';
import { get, patch, post, query } from '../api.js';
import { ConfirmDialog } from '../components/ConfirmDialog.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { Field } from '../components/Field.jsx';
import { can } from '../components/access.js';
import { FormPanel, useForm } from '../components/form.jsx';
import { useDebounced } from '../components/hooks.js';
import { UnmaskedExports } from '../components/UnmaskedExports.jsx';
import { errorText } from '../errors.js';
import { useI18n } from '../i18n.jsx';
import { useMeta } from '../meta.jsx';

export function UsersPage({ user: me }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { roleName } = useMeta();
  const [q, setQ] = useState('');
  const debouncedQ = useDebounced(q.trim(), 250);
  const [data, setData] = useState({ items: [], total: 0 });
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState(null);
  const [showForm, setShowForm] = useState(false);
  const [confirm, setConfirm] = useState(null); // { user, status, busy, error }
  const [flash, setFlash] = useState('');
  const seq = useRef(0);

  async function load(text) {
    const mine = ++seq.current;
    setLoading(true);
    setLoadError(null);
    try {
      const res = await get(`/api/v1/users${query({ q: text })}`);
      if (mine !== seq.current) return; // A newer filter is on its way.
      setData({ items: res.items || [], total: res.total ?? (res.items || []).length, truncated: !!res.truncated });
    } catch (err) {
      if (mine === seq.current) setLoadError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }

  useEffect(() => {
    load(debouncedQ);
  }, [debouncedQ]);

  function replaceUser(u) {
    setData((d) => ({ ...d, items: d.items.map((x) => (x.username === u.username ? u : x)) }));
  }

  async function applyStatus() {
    const { user, status } = confirm;
    setConfirm({ ...confirm, busy: true, error: null });
    try {
      const updated = await patch(`/api/v1/users/${encodeURIComponent(user.username)}`, { status });
      replaceUser(updated && updated.username ? updated : { ...user, status });
      setConfirm(null);
      setFlash(t(status === 'disabled' ? 'users.disabled_done' : 'users.enabled_done', { username: user.username }));
    } catch (err) {
      setConfirm({ ...confirm, busy: false, error: errorText(i18n, err) });
    }
  }

  function created(u) {
    setShowForm(false);
    setFlash(t('users.created_done', { username: u.username }));
    load(debouncedQ);
  }

  const { items, total } = data;

  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('users.title')}</h1>
        {!showForm && (
          <button type="button" class="btn btn-primary" onClick={() => { setFlash(''); setShowForm(true); }}>
            + {t('users.add')}
          </button>
        )}
      </header>

      <div class="flash" role="status" aria-live="polite">
        {flash && <p class="alert alert-success">{flash}</p>}
      </div>

      {showForm && <AddUserForm onCreated={created} onCancel={() => setShowForm(false)} />}

      <div class="toolbar">
        <label class="sr-only" for="users-filter">{t('users.filter')}</label>
        <input
          id="users-filter"
          type="search"
          class="filter-input"
          placeholder={t('users.filter_placeholder')}
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
        {!loading && !loadError && (
          <span class="muted" data-testid="users-total">{t('users.total', { n: total })}</span>
        )}
      </div>

      <DataTable
        class="users-table"
        caption={t('users.title')}
        rows={items}
        rowKey={(u) => u.username}
        rowProps={(u) => ({ 'data-username': u.username, class: u.status === 'disabled' ? 'row-disabled' : '' })}
        loading={loading}
        error={loadError}
        onRetry={() => load(debouncedQ)}
        loadingText={t('users.loading')}
        empty={debouncedQ ? t('users.empty_filter', { q: debouncedQ }) : t('users.empty')}
        truncated={data.truncated}
        columns={[
          {
            key: 'username', label: t('users.col_username'), head: true, class: 'mono',
            render: (u) => (
              <span>
                {u.username}
                {me && u.username === me.username && <span class="tag">{t('users.self')}</span>}
              </span>
            ),
          },
          { key: 'name', label: t('users.col_name'), render: (u) => u.display_name },
          { key: 'role', label: t('users.col_role'), render: (u) => roleName(u.role) },
          {
            key: 'scope', label: t('users.col_scope'),
            render: (u) => (
              <span>
                {u.scope ? (u.scope.name || u.scope.code) : '—'}
                {u.scope && u.scope.name && <span class="muted mono small"> {u.scope.code}</span>}
              </span>
            ),
          },
          {
            key: 'status', label: t('users.col_status'),
            render: (u) => (
              <span class={`badge badge-${u.status === 'disabled' ? 'off' : 'on'}`} data-testid="user-status">
                {i18n.statusName(u.status)}
              </span>
            ),
          },
          { key: 'created', label: t('users.col_created'), class: 'nowrap', render: (u) => i18n.formatTime(u.created_at) },
          {
            key: 'actions', label: t('users.col_actions'), hideLabel: true,
            render: (u) => {
              if (me && u.username === me.username) return null;
              const disabled = u.status === 'disabled';
              return (
                <button
                  type="button"
                  class={`btn btn-small ${disabled ? '' : 'btn-danger-outline'}`}
                  aria-label={`${t(disabled ? 'users.enable' : 'users.disable')} ${u.username}`}
                  onClick={() => setConfirm({ user: u, status: disabled ? 'active' : 'disabled' })}
                >
                  {t(disabled ? 'users.enable' : 'users.disable')}
                </button>
              );
            },
          },
        ]}
      />

      {can(me, 'audit.read') && <UnmaskedExports />}

      {confirm && (
        <ConfirmDialog
          title={t(confirm.status === 'disabled' ? 'users.disable_title' : 'users.enable_title')}
          text={t(confirm.status === 'disabled' ? 'users.disable_confirm' : 'users.enable_confirm', {
            name: confirm.user.display_name,
            username: confirm.user.username,
          })}
          confirmLabel={t(confirm.status === 'disabled' ? 'users.disable' : 'users.enable')}
          danger={confirm.status === 'disabled'}
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={applyStatus}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

function AddUserForm({ onCreated, onCancel }) {
  const { t } = useI18n();
  const { codes, roleName } = useMeta();
  const firstRef = useRef(null);
  const form = useForm({
    id: 'user',
    initial: { username: '', display_name: '', role: '', scope: '', password: '' },
    fields: ['username', 'display_name', 'role', 'scope', 'password'],
    async onSubmit(v) {
      const body = {
        username: v.username.trim(),
        display_name: v.display_name.trim(),
        role: v.role,
        scope: v.scope.trim(),
        password: v.password,
      };
      const u = await post('/api/v1/users', body);
      onCreated(u && u.username ? u : body);
    },
  });

  useEffect(() => {
    if (firstRef.current) firstRef.current.focus();
  }, []);

  return (
    <FormPanel form={form} title={t('form.add_title')} submitLabel={t('form.submit')} onCancel={onCancel}>
      <Field {...form.field('username')} label={t('form.username')} hint={t('form.username_hint')} required>
        {(a) => (
          <input {...a} {...form.input('username')} ref={firstRef} autocomplete="off" autocapitalize="none"
            spellcheck={false} required />
        )}
      </Field>
      <Field {...form.field('display_name')} label={t('form.display_name')} required>
        {(a) => <input {...a} {...form.input('display_name')} autocomplete="off" required />}
      </Field>
      <Field {...form.field('role')} label={t('form.role')} required>
        {(a) => (
          <select {...a} {...form.input('role')} required data-testid="role-select">
            <option value="" disabled>{t('form.role_choose')}</option>
            {codes('roles').map((r) => <option key={r} value={r}>{roleName(r)}</option>)}
          </select>
        )}
      </Field>
      <AreaField
        value={form.values.scope}
        error={form.errors.scope}
        onChange={(v) => form.setValue('scope', v)}
      />
      <Field {...form.field('password')} label={t('form.password')} hint={t('form.password_hint')} required>
        {(a) => (
          <input {...a} {...form.input('password')} type="password" autocomplete="new-password" required />
        )}
      </Field>
    </FormPanel>
  );
}

/**
 * The scope field: the value is an area code, typed directly or picked from
 * the areas that GET /api/v1/areas?q= finds for what was typed (a combobox
 * in the ARIA sense: arrow keys move, Enter picks, Esc closes).
 */
function AreaField({ value, error, onChange }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [results, setResults] = useState([]);
  const [searching, setSearching] = useState(false);
  const [active, setActive] = useState(-1);
  const [selected, setSelected] = useState(null);
  const debounced = useDebounced(typed.trim(), 250);
  const seq = useRef(0);

  useEffect(() => {
    if (!debounced) {
      setResults([]);
      setSearching(false);
      return;
    }
    const mine = ++seq.current;
    setSearching(true);
    get(`/api/v1/areas${query({ q: debounced })}`)
      .then((res) => {
        if (mine !== seq.current) return;
        setResults((res.items || []).slice(0, 20));
        setActive(-1);
      })
      .catch(() => {
        if (mine === seq.current) setResults([]);
      })
      .finally(() => {
        if (mine === seq.current) setSearching(false);
      });
  }, [debounced]);

  function pick(area) {
    onChange(area.code);
    setSelected(area);
    setTyped('');
    setOpen(false);
    setResults([]);
  }

  function onKeyDown(e) {
    if (!open || results.length === 0) {
      if (e.key === 'Escape') setOpen(false);
      return;
    }
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((i) => (i + 1) % results.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => (i <= 0 ? results.length - 1 : i - 1));
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      pick(results[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  }

  const showList = open && typed.trim() !== '';
  return (
    <Field id="user-scope" label={t('form.scope')} hint={t('form.scope_hint')} error={error} required>
      {(a) => (
        <div class="combo">
          <input
            {...a}
            name="scope"
            role="combobox"
            autocomplete="off"
            spellcheck={false}
            required
            aria-autocomplete="list"
            aria-expanded={showList ? 'true' : 'false'}
            aria-controls="user-scope-options"
            aria-activedescendant={showList && active >= 0 ? `user-scope-opt-${active}` : undefined}
            value={value}
            onInput={(e) => {
              const v = e.currentTarget.value;
              onChange(v);
              setTyped(v);
              setSelected(null);
              setOpen(true);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(() => setOpen(false), 150)}
          />
          {selected && (
            <p class="field-hint combo-selected" data-testid="scope-selected">
              {t('form.scope_selected', { name: `${selected.name} · ${i18n.levelName(selected.level)}` })}
            </p>
          )}
          {showList && (
            <div class="combo-popup">
              {searching && results.length === 0 && <p class="combo-note" role="status">{t('form.scope_searching')}</p>}
              {!searching && results.length === 0 && debounced && <p class="combo-note" role="status">{t('form.scope_none')}</p>}
              <ul id="user-scope-options" role="listbox" aria-label={t('form.scope_results')} class="combo-list">
                {results.map((area, i) => (
                  <li
                    key={area.code}
                    id={`user-scope-opt-${i}`}
                    role="option"
                    aria-selected={i === active ? 'true' : 'false'}
                    class={`combo-option${i === active ? ' active' : ''}`}
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => pick(area)}
                  >
                    <span class="combo-name">{area.name}</span>
                    <span class="combo-meta">
                      <span class="mono">{area.code}</span> · {i18n.levelName(area.level)}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </Field>
  );
}
