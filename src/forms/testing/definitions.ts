import type { FieldDefinition, FormDefinition, Text } from '../types.js';

/** Test and example definitions: one field of every type, and a small journey with conditions. */

const t = (en: string, zh: string): Text => ({ en, 'zh-CN': zh });

export const fieldOfEveryType: readonly FieldDefinition[] = [
  { id: 'fullName', type: 'short-text', label: t('Full name', '姓名'), maxLength: 20, autocomplete: 'name' },
  { id: 'reason', type: 'long-text', label: t('Reason', '申请理由'), maxLength: 50 },
  { id: 'children', type: 'number', label: t('Number of children', '子女人数'), integer: true, min: 0, max: 20 },
  { id: 'income', type: 'money', label: t('Monthly income', '月收入'), max: 100_000_000 },
  { id: 'dob', type: 'date', label: t('Date of birth', '出生日期'), mustBe: 'past', autocomplete: 'bday' },
  {
    id: 'marital', type: 'single-choice', label: t('Marital status', '婚姻状况'),
    options: [{ value: 'single', label: t('Single', '未婚') }, { value: 'married', label: t('Married', '已婚') }],
  },
  {
    id: 'district', type: 'single-choice', display: 'select', label: t('District', '所在区'),
    options: [{ value: 'dongcheng', label: t('Dongcheng', '东城区') }, { value: 'xicheng', label: t('Xicheng', '西城区') }],
  },
  {
    id: 'benefits', type: 'multiple-choice', label: t('Benefits you get', '已享受的补贴'), maxSelected: 2,
    options: [{ value: 'housing', label: t('Housing', '住房') }, { value: 'child', label: t('Child', '育儿') }, { value: 'pension', label: t('Pension', '养老金') }],
  },
  { id: 'resident', type: 'yes-no', label: t('Do you live in Beijing?', '您是否居住在北京？') },
  { id: 'email', type: 'email', label: t('Email address', '电子邮箱') },
  { id: 'mobile', type: 'phone', label: t('Phone number', '电话号码') },
  { id: 'idNumber', type: 'resident-id', label: t('Resident ID number', '居民身份证号码') },
  { id: 'passport', type: 'other-id', label: t('Travel document', '旅行证件'), kinds: ['cn-passport', 'passport', 'hk-macau-permit', 'home-return-permit', 'taiwan-permit'] },
  { id: 'home', type: 'address', label: t('Home address', '家庭住址') },
  { id: 'proof', type: 'file', label: t('Proof of address', '住址证明'), accept: ['application/pdf', 'image/jpeg'], maxSize: 1024 * 1024 },
  {
    id: 'kids', type: 'repeating-group', label: t('Your children', '您的子女'), itemLabel: t('Child', '子女'), minItems: 1, maxItems: 3,
    fields: [
      { id: 'name', type: 'short-text', label: t('Name', '姓名') },
      { id: 'born', type: 'date', label: t('Date of birth', '出生日期'), mustBe: 'past' },
    ],
  },
];

/** Every type on one page each: what the property test posts random text to. */
export const everyTypeForm: FormDefinition = {
  pages: fieldOfEveryType.map((field) => ({ id: field.id.toLowerCase(), title: field.label, fields: [field] })),
};

/**
 * A small journey: the partner page shows only for married people, the employer field only
 * for those in work, the phone is required if they want a text, and the move-out date must
 * come after the move-in date.
 */
export const journeyForm: FormDefinition = {
  pages: [
    {
      id: 'about-you',
      title: t('About you', '个人信息'),
      fields: [
        { id: 'name', type: 'short-text', label: t('Full name', '姓名') },
        {
          id: 'marital', type: 'single-choice', label: t('Marital status', '婚姻状况'),
          options: [{ value: 'single', label: t('Single', '未婚') }, { value: 'married', label: t('Married', '已婚') }],
        },
      ],
    },
    {
      id: 'partner',
      title: t('Your partner', '配偶信息'),
      condition: { properties: { $form: { required: ['marital'], properties: { marital: { const: 'married' } } } } },
      fields: [{ id: 'partnerName', type: 'short-text', label: t('Partner’s full name', '配偶姓名') }],
    },
    {
      id: 'work',
      title: t('Work', '工作'),
      fields: [
        { id: 'employed', type: 'yes-no', label: t('Are you in work?', '您是否在职？') },
        {
          id: 'employer', type: 'short-text', label: t('Employer', '工作单位'),
          condition: { properties: { $form: { required: ['employed'], properties: { employed: { const: true } } } } },
        },
      ],
    },
    {
      id: 'contact',
      title: t('Contact', '联系方式'),
      fields: [
        { id: 'wantsText', type: 'yes-no', label: t('Do you want text message updates?', '是否需要短信通知？') },
        {
          id: 'mobile', type: 'phone', label: t('Mobile number', '手机号码'), allow: ['cn-mobile'],
          requiredIf: { properties: { $form: { required: ['wantsText'], properties: { wantsText: { const: true } } } } },
        },
      ],
    },
    {
      id: 'dates',
      title: t('Dates', '日期'),
      fields: [
        { id: 'movedIn', type: 'date', label: t('Move-in date', '入住日期'), mustBe: 'past' },
        { id: 'movedOut', type: 'date', label: t('Move-out date', '搬离日期'), required: false },
      ],
    },
  ],
  rules: [
    {
      field: 'movedOut',
      message: 'form.movedOutAfterIn',
      when: { properties: { $form: { required: ['movedIn', 'movedOut'] } } },
      schema: { properties: { $form: { properties: { movedOut: { formatMinimum: { $data: '1/movedIn' }, format: 'date' } } } } },
    },
  ],
  messages: {
    'form.movedOutAfterIn': t('{Name} must be after the move-in date', '{name}必须晚于入住日期'),
  },
};
