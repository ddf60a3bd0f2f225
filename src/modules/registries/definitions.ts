/** The shape of a registry and the demo registries the module's seed defines. */

export interface LocalizedText {
  readonly 'zh-CN': string;
  readonly en: string;
}

/**
 * A registry version: a JSON Schema for its records (top-level properties are its data items,
 * each with an `x-title` in both languages), the property that keys a record, the properties
 * people search by (indexed), and the property holding a person's resident ID number, if reading a
 * record is reading a person's data.
 */
export interface RegistryDefinition {
  readonly code: string;
  readonly version: string;
  readonly name: LocalizedText;
  /** The owner agency's code, e.g. 110000-PSB. */
  readonly owner: string;
  readonly keyField: string;
  readonly searchFields: readonly string[];
  readonly personField?: string | undefined;
  readonly schema: Readonly<Record<string, unknown>>;
}

const title = (zh: string, en: string) => ({ 'x-title': { 'zh-CN': zh, en } });
const DATE = { type: 'string', format: 'date' };

export const POPULATION: RegistryDefinition = {
  code: 'population', version: '1', owner: '110000-PSB',
  name: { 'zh-CN': '人口登记簿', en: 'Population register' },
  keyField: 'idNumber', searchFields: ['name'], personField: 'idNumber',
  schema: {
    type: 'object', additionalProperties: false,
    required: ['idNumber', 'name', 'sex', 'dateOfBirth', 'householdAddress'],
    properties: {
      idNumber: { type: 'string', pattern: '^[0-9]{17}[0-9X]$', ...title('公民身份号码', 'Resident ID number') },
      name: { type: 'string', minLength: 1, maxLength: 50, ...title('姓名', 'Name') },
      sex: { type: 'string', enum: ['male', 'female'], ...title('性别', 'Sex') },
      dateOfBirth: { ...DATE, ...title('出生日期', 'Date of birth') },
      householdAddress: { type: 'string', minLength: 1, maxLength: 200, ...title('户籍地址', 'Household address') },
      householdNumber: { type: 'string', maxLength: 20, ...title('户号', 'Household number') },
      ethnicity: { type: 'string', maxLength: 20, ...title('民族', 'Ethnicity') },
    },
  },
};

export const BUSINESS: RegistryDefinition = {
  code: 'business', version: '1', owner: '110000-AMR',
  name: { 'zh-CN': '市场主体登记簿', en: 'Business register' },
  keyField: 'creditCode', searchFields: ['name'],
  schema: {
    type: 'object', additionalProperties: false,
    required: ['creditCode', 'name', 'legalRepresentative', 'registeredAddress', 'establishedOn', 'status'],
    properties: {
      creditCode: { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$', ...title('统一社会信用代码', 'Unified social credit code') },
      name: { type: 'string', minLength: 1, maxLength: 100, ...title('名称', 'Name') },
      type: { type: 'string', maxLength: 50, ...title('类型', 'Type') },
      legalRepresentative: { type: 'string', minLength: 1, maxLength: 50, ...title('法定代表人', 'Legal representative') },
      registeredCapital: { type: 'integer', minimum: 0, ...title('注册资本（元）', 'Registered capital (CNY)') },
      registeredAddress: { type: 'string', minLength: 1, maxLength: 200, ...title('住所', 'Registered address') },
      establishedOn: { ...DATE, ...title('成立日期', 'Established on') },
      businessScope: { type: 'string', maxLength: 500, ...title('经营范围', 'Business scope') },
      status: { type: 'string', enum: ['active', 'deregistered'], ...title('登记状态', 'Status') },
    },
  },
};

export const VEHICLES: RegistryDefinition = {
  code: 'vehicles', version: '1', owner: '110000-TRA',
  name: { 'zh-CN': '机动车登记簿', en: 'Vehicle register' },
  keyField: 'plateNumber', searchFields: ['vin', 'ownerIdNumber'], personField: 'ownerIdNumber',
  schema: {
    type: 'object', additionalProperties: false,
    required: ['plateNumber', 'vin', 'make', 'ownerIdNumber', 'registeredOn'],
    properties: {
      plateNumber: { type: 'string', minLength: 7, maxLength: 8, ...title('号牌号码', 'Plate number') },
      vin: { type: 'string', pattern: '^[A-HJ-NPR-Z0-9]{17}$', ...title('车辆识别代号', 'Vehicle identification number') },
      make: { type: 'string', maxLength: 50, ...title('品牌', 'Make') },
      model: { type: 'string', maxLength: 50, ...title('型号', 'Model') },
      colour: { type: 'string', maxLength: 20, ...title('颜色', 'Colour') },
      ownerIdNumber: { type: 'string', pattern: '^[0-9]{17}[0-9X]$', ...title('所有人身份号码', 'Owner\'s resident ID number') },
      registeredOn: { ...DATE, ...title('注册登记日期', 'Registered on') },
    },
  },
};

export const DEMO_REGISTRIES: readonly RegistryDefinition[] = [POPULATION, BUSINESS, VEHICLES];

/** The demo citizen 张伟 (identity's demo persona) as the population register knows him. */
export const DEMO_CITIZEN = {
  idNumber: '110101199003072359', name: '张伟', sex: 'male', dateOfBirth: '1990-03-07',
  householdAddress: '北京市东城区示例街道 1 号', householdNumber: '110101001234', ethnicity: '汉族',
} as const;

/** The demo business of 李娜 (identity's demo persona `business`). */
export const DEMO_BUSINESS = {
  creditCode: '91110108MA01TB8N59', name: '北京通办示例科技有限公司', type: '有限责任公司', legalRepresentative: '李娜',
  registeredCapital: 1_000_000, registeredAddress: '北京市海淀区示例路 8 号', establishedOn: '2019-06-18',
  businessScope: '软件开发；信息技术咨询服务', status: 'active',
} as const;

export const DEMO_VEHICLE = {
  plateNumber: '京AD12345', vin: 'LSVAM4187C2184753', make: '大众', model: '朗逸', colour: '白色',
  ownerIdNumber: DEMO_CITIZEN.idNumber, registeredOn: '2018-04-20',
} as const;
