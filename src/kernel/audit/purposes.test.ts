import { describe, expect, it } from 'vitest';
import { defineMessages } from '../i18n/index.js';
import { purposeIn, purposeText } from './purposes.js';

defineMessages('purposetest', {
  en: { 'purposetest.purpose.fixed': 'Checking a receipt (counter)', 'purposetest.purpose.api': 'Example API {operation}' },
  'zh-CN': { 'purposetest.purpose.fixed': '核对收据（窗口）', 'purposetest.purpose.api': '示例接口：{operation}' },
});

describe('declared purposes (ADR 60)', () => {
  it('stores the English text and shows a declared purpose in the reader\'s language', () => {
    const stored = purposeText('purposetest.purpose.fixed');
    expect(stored).toBe('Checking a receipt (counter)');
    expect(purposeIn(stored, 'zh-CN')).toBe('核对收据（窗口）');
    expect(purposeIn(stored, 'en')).toBe(stored);
  });

  it('fills a declared template\'s parameters from the stored text', () => {
    const stored = purposeText('purposetest.purpose.api', { operation: 'readRecord (v2)' });
    expect(stored).toBe('Example API readRecord (v2)');
    expect(purposeIn(stored, 'zh-CN')).toBe('示例接口：readRecord (v2)');
  });

  it('shows a purpose typed by staff or given by a system as it was written', () => {
    for (const typed of ['为办理低保核对户籍', 'Checking a receipt (counter) again', 'Example API', 'Checking a receipt (counter)x', '.*']) {
      expect(purposeIn(typed, 'zh-CN')).toBe(typed);
    }
  });
});
