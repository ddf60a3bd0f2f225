import { readFileSync } from 'node:fs';
import type { WorkflowDefinition } from '../derive.js';

/** The workflows of the demo services, read from demo/catalog: real definitions for tests. */
export function demoWorkflow(file: string): WorkflowDefinition {
  const json = JSON.parse(readFileSync(new URL(`../../../../demo/catalog/${file}.json`, import.meta.url), 'utf8')) as { workflow: WorkflowDefinition };
  return json.workflow;
}

/** Three officer-decided steps and no `escalate`: the deadline can only flag it. */
export const SIMPLE_WORKFLOW: WorkflowDefinition = {
  sla: { workingDays: 2 },
  states: [
    { id: 'submitted', name: { 'zh-CN': '已提交', en: 'Submitted' }, final: false },
    { id: 'in_review', name: { 'zh-CN': '审核中', en: 'In review' }, final: false },
    { id: 'approved', name: { 'zh-CN': '准予', en: 'Approved' }, final: true },
    { id: 'rejected', name: { 'zh-CN': '不予', en: 'Rejected' }, final: true },
  ],
  initial: 'submitted',
  transitions: [
    { action: 'claim', from: ['submitted'], to: 'in_review', by: 'officer', needsReason: false },
    { action: 'release', from: ['in_review'], to: 'submitted', by: 'officer', needsReason: false },
    { action: 'approve', from: ['in_review'], to: 'approved', by: 'officer', needsReason: false },
    { action: 'reject', from: ['in_review'], to: 'rejected', by: 'officer', needsReason: true },
  ],
};
