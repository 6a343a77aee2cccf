// 上报: the phone-first report form. The type decides the fields (its
// `required` list from /api/v1/meta), the category is picked by domain, the
// place is the user's own area unless another one of the scope is picked,
// and photos taken with the camera are uploaded once the case is filed;
// then the case's own page opens.
import { useRef, useState } from 'preact/hooks';
import { post } from '../../api.js';
import { AreaPicker } from '../../components/AreaPicker.jsx';
import { Field } from '../../components/Field.jsx';
import { FormPanel, useForm } from '../../components/form.jsx';
import { FileInput } from '../../components/inputs.jsx';
import { errorText } from '../../errors.js';
import { useI18n } from '../../i18n.jsx';
import { navigate } from '../../router.js';
import { PhotoPreview, categoryName, uploadPhotos, useCaseMeta } from './common.jsx';

// The fields a type may ask for beyond the common ones, in the form's order.
const EXTRA = {
  parties: ['parties', 'mediator'],
  person_name: ['person_name', 'person_id_number', 'person_phone'],
};

// The case's title is the form's field "headline": FormPanel names its own
// heading `${id}-title`, and two elements may not share an id.
const TEXT_FIELDS = ['type', 'category', 'area_code', 'headline', 'description', 'address',
  'contact_name', 'contact_phone', 'parties', 'mediator', 'person_name', 'person_id_number', 'person_phone'];

/** The fields a type of the server's list asks for beyond the common ones. */
function extrasOf(type) {
  const required = (type && type.required) || [];
  return [
    ...Object.entries(EXTRA).filter(([k]) => required.includes(k)).flatMap(([, names]) => names),
    // A resident's request keeps the resident's name and phone to call back.
    ...(type && type.code === 'request' ? ['contact_name', 'contact_phone'] : []),
  ];
}

export function CaseNewPage({ user }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  const cm = useCaseMeta();
  const types = cm.list('case_types');
  const [files, setFiles] = useState([]);
  const [uploadError, setUploadError] = useState(null);
  // Where the phone is, when the user asks for it: {lat, lon}, 'busy' or 'failed'.
  const [spot, setSpot] = useState(null);
  const fileRef = useRef(null);
  const form = useForm({
    id: 'case',
    initial: () => ({
      type: types[0] ? types[0].code : '',
      category: '',
      area_code: (user.scope && user.scope.code) || '',
      headline: '', description: '', address: '',
      contact_name: '', contact_phone: '', parties: '', mediator: '',
      person_name: '', person_id_number: '', person_phone: '',
    }),
    fields: TEXT_FIELDS,
    async onSubmit(v) {
      const body = { type: v.type, category: v.category, area_code: v.area_code, title: v.headline.trim() };
      for (const k of ['description', 'address', ...extrasOf(types.find((x) => x.code === v.type))]) {
        if (v[k] && v[k].trim()) body[k] = v[k].trim();
      }
      if (spot && spot.lat != null) Object.assign(body, { lat: spot.lat, lon: spot.lon });
      const made = await post('/api/v1/cases', body).catch((err) => {
        if (err && err.field === 'title') err.field = 'headline';
        throw err;
      });
      // The case is filed: a photo the server refuses must not lose it, so
      // the refusal is shown on the case's page, where the photo can be sent again.
      try {
        if (files.length) await uploadPhotos(made.id, files);
        navigate(`/cases/${made.id}`);
      } catch (err) {
        setUploadError({ id: made.id, err });
      }
    },
  });
  const v = form.values;
  const type = types.find((x) => x.code === v.type);
  const required = (type && type.required) || [];
  const extras = extrasOf(type);

  if (uploadError) {
    return (
      <section class="page case-new" aria-labelledby="page-title">
        <h1 id="page-title">{t('cases.new_title')}</h1>
        <p class="alert alert-error" role="alert" data-testid="upload-error">
          {t('cases.filed_photo_failed', { error: errorText(i18n, uploadError.err) })}
        </p>
        <p><a class="btn btn-primary" href={`#/cases/${uploadError.id}`}>{t('cases.open_case')}</a></p>
      </section>
    );
  }

  const need = (name) => required.includes(name === 'headline' ? 'title' : name);
  const text = (name, props = {}) => (
    <Field {...form.field(name)} label={t(`cases.f_${name}`)} required={need(name)}
      hint={props.hint}>
      {(a) => (props.area
        ? <textarea {...a} {...form.input(name)} rows={props.rows || 3} maxLength={props.max} required={need(name)} />
        : <input {...a} {...form.input(name)} maxLength={props.max} inputMode={props.inputMode}
          autocomplete="off" required={need(name)} />)}
    </Field>
  );

  return (
    <section class="page case-new" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t('cases.new_title')}</h1>
        <a class="btn btn-quiet" href="#/cases">{t('cases.back_list')}</a>
      </header>
      <FormPanel form={form} title={t('cases.new_form')} submitLabel={t('cases.submit')} testid="case-form"
        intro={<p class="field-hint">{t('cases.new_intro')}</p>}
        onCancel={() => navigate('/cases')}>
        <Field {...form.field('type')} label={t('cases.f_type')} required>
          {(a) => (
            <select {...a} {...form.input('type')} required>
              {types.map((x) => <option key={x.code} value={x.code}>{lang === 'en' ? x.en : x.zh}</option>)}
            </select>
          )}
        </Field>
        <Field {...form.field('category')} label={t('cases.f_category')} required>
          {(a) => (
            <select {...a} {...form.input('category')} required>
              <option value="">{t('cases.pick_category')}</option>
              {cm.groups.map((g) => (
                <optgroup key={g.code} label={g.name}>
                  {g.items.map((c) => (
                    <option key={c.code} value={c.code}>
                      {categoryName(c, lang)}{c.size === 'small' ? ` · ${t('cases.small')}` : ''}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        <AreaPicker {...form.field('area_code')} label={t('cases.f_area')} required value={v.area_code}
          hint={t('cases.f_area_hint')} onChange={(code) => form.setValue('area_code', code)} />
        {text('headline', { max: 200 })}
        {text('description', { area: true, rows: 4, max: 4000 })}
        {text('address', { max: 400 })}
        {'geolocation' in navigator && <Locate spot={spot} setSpot={setSpot} />}
        {extras.map((name) => text(name, {
          max: name === 'parties' ? 400 : 100,
          area: name === 'parties',
          rows: 2,
          inputMode: name.endsWith('phone') ? 'tel' : undefined,
          hint: name === 'parties' ? t('cases.f_parties_hint') : undefined,
        }))}
        <div class="field case-photo-field">
          <label class="field-label" for="case-photos">{t('cases.f_photos')}</label>
          <FileInput id="case-photos" inputRef={fileRef} accept="image/*" capture="environment" multiple
            onChange={(e) => setFiles([...(e.currentTarget.files || [])])} />
          <p class="field-hint">{t('cases.f_photos_hint')}</p>
          <PhotoPreview files={files} />
        </div>
      </FormPanel>
    </section>
  );
}

/** Records where the phone is (the browser asks the user first). */
function Locate({ spot, setSpot }) {
  const { t } = useI18n();
  const locate = () => {
    setSpot('busy');
    navigator.geolocation.getCurrentPosition(
      (p) => setSpot({ lat: Number(p.coords.latitude.toFixed(6)), lon: Number(p.coords.longitude.toFixed(6)) }),
      () => setSpot('failed'),
      { enableHighAccuracy: true, timeout: 15000 },
    );
  };
  return (
    <div class="field case-locate">
      <span class="field-label">{t('cases.f_location')}</span>
      <div class="case-locate-row">
        <button type="button" class="btn btn-small" onClick={locate} disabled={spot === 'busy'}>
          {spot === 'busy' ? t('cases.locating') : t('cases.locate')}
        </button>
        <span class="muted" data-testid="case-location" role="status">
          {spot === 'failed' ? t('cases.locate_failed')
            : spot && spot.lat != null ? `${spot.lat}, ${spot.lon}` : t('cases.no_location')}
        </span>
      </div>
    </div>
  );
}
