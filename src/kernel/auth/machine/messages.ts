import { defineMessages } from '../../i18n/index.js';

export const machineMessages = defineMessages('auth-machine', {
  en: {
    'auth.machine.error.tokenMissing': 'Send an access token in the Authorization header',
    'auth.machine.error.tokenInvalid': 'The access token is not valid or has expired. Get a new one from the token endpoint',
    'auth.machine.error.scopeMissing': 'This system is not allowed to do this',
    'auth.machine.error.notFound': 'There is no API client with this id',
    'auth.machine.error.exists': 'An API client with this id already exists',
    'auth.machine.error.invalid': 'Check the API client details',
    'auth.machine.error.name': 'Enter the system\'s name, up to 200 characters',
    'auth.machine.error.scopesEmpty': 'Choose at least one scope',
    'auth.machine.error.scopeUnknown': 'No service checks the scope {scope}: choose from the list',
    'auth.machine.error.scope': 'Scope {scope} is not valid: use letters, digits and punctuation, without spaces, quotes or backslashes',
    'auth.machine.error.keyInvalid': 'Use a public Ed25519, P-256 or RSA (2048 bits or more) key',
    'auth.machine.error.lastKey': 'Add a new key before removing the last one',
  },
  'zh-CN': {
    'auth.machine.error.tokenMissing': '请在 Authorization 请求头中提供访问令牌',
    'auth.machine.error.tokenInvalid': '访问令牌无效或已过期，请从令牌端点重新获取',
    'auth.machine.error.scopeMissing': '该系统无权执行此操作',
    'auth.machine.error.notFound': '不存在该 ID 的接口客户端',
    'auth.machine.error.exists': '该 ID 的接口客户端已存在',
    'auth.machine.error.invalid': '请检查接口客户端信息',
    'auth.machine.error.name': '请输入系统名称，最多 200 个字符',
    'auth.machine.error.scopesEmpty': '请至少选择一个权限范围',
    'auth.machine.error.scopeUnknown': '没有任何服务检查权限范围 {scope}：请从列表中选择',
    'auth.machine.error.scope': '权限范围 {scope} 无效：请使用字母、数字和标点，不含空格、引号或反斜杠',
    'auth.machine.error.keyInvalid': '请使用 Ed25519、P-256 或 RSA（2048 位及以上）公钥',
    'auth.machine.error.lastKey': '请先添加新密钥，再删除最后一个密钥',
  },
});
