import { purposeText } from '../../kernel/audit/index.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/types.js';
import type { Principal } from '../../kernel/auth/index.js';
import { clientActor, declareScopes, type MachineClient, requireClientScope } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import {
  appointmentList, entityList, eventId, freeSlot, invalidQuery, member, parseEventId, readQry, resourceList, resourceName, statusFromSpec, text,
} from './govstack.js';
import { appointmentQuery, entityFilter, freeResourceQuery, resourceFilter } from './govstack-filters.js';
import { SchedulingErrors, type SchedulingService } from './service.js';
import './messages.js';

export const SCHEDULER_BASE = '/govstack/scheduler';
export const SCHEDULER_SCOPES = { read: 'scheduler:read', book: 'scheduler:book' } as const;
declareScopes({
  [SCHEDULER_SCOPES.read]: { en: 'GovStack Scheduler: read halls, slots and appointments', 'zh-CN': 'GovStack 预约接口：查看大厅、时段和预约' },
  [SCHEDULER_SCOPES.book]: { en: 'GovStack Scheduler: book, move and cancel appointments for people', 'zh-CN': 'GovStack 预约接口：为个人预约、改约和取消预约' },
});

type Query = { Querystring: Record<string, string | undefined> };

const requestor = {
  type: 'object',
  required: ['requestor_id', 'request_token'],
  properties: { requestor_id: { type: 'string', minLength: 1, maxLength: 200 }, request_token: { type: 'string', maxLength: 2000 }, appointment_id: { type: 'string', maxLength: 40 } },
} as const;

interface SystemCaller { readonly client: MachineClient; readonly agency: string; readonly principal: Principal; readonly actor: Actor }

/**
 * The GovStack Scheduler API for agencies' systems (docs/adr/0022-scheduling.md): halls as
 * entities, counters as resources, free places, and appointments for applications of the
 * caller's agency. Systems authenticate with an access token (POST /oauth/token), as for the
 * Registration API; `requestor_id` is recorded, `request_token` is not a credential here.
 */
export function registerGovstackRoutes(app: FastifyInstance, scheduling: SchedulingService, kernel: Pick<Kernel, 'audit' | 'db' | 'now' | 'config'>): void {
  const callerOf = async (request: FastifyRequest<Query>, scope: string): Promise<SystemCaller> => {
    await requireClientScope(scope)(request);
    const client = request.client!;
    const agency = client.organisation.split('/')[2] ?? '';
    const actor: Actor = clientActor(client);
    await kernel.audit.append(kernel.db, {
      actor, action: 'govstack.scheduler.call', requestId: String(request.id),
      details: { operation: `${request.method} ${request.routeOptions.url ?? ''}`, requestorId: request.query.requestor_id ?? null },
    });
    // A system acts as its own agency's case system: an officer there, named `client:<id>`.
    return { client, agency, actor, principal: { accountId: `client:${client.clientId}`, kind: 'staff', name: client.organisation, roles: [{ agency, role: 'officer' }] } };
  };
  const route = { schema: { querystring: requestor, hide: true } };

  const ownAppointment = async (caller: SystemCaller, reference: string | undefined) => {
    const found = reference ? await scheduling.appointmentByReference(reference) : undefined;
    if (!found || !(await scheduling.listAppointments({ agencies: [caller.agency], reference: found.reference }, 1)).length) {
      // Another agency's appointment answers as an unknown id would, and is logged as security.denied (issue 9).
      throw new TongbanError(SchedulingErrors.TB_SCHEDULING_NO_APPOINTMENT, {
        fields: [{ pointer: '/query/appointment_id', message: 'scheduling.error.noAppointment', detail: 'No appointment of your agency has this id' }],
        ...(found ? { denied: 'other-agency' as const } : {}),
      });
    }
    return found;
  };

  app.get<Query>(`${SCHEDULER_BASE}/entity/list_details`, route, async (request) => {
    await callerOf(request, SCHEDULER_SCOPES.read);
    const keep = entityFilter(member(readQry(request.query, ['entity_filter', 'entity_details_required']), 'entity_filter'));
    return [entityList((await scheduling.halls()).filter(keep), request.locale)];
  });

  app.get<Query>(`${SCHEDULER_BASE}/resource/list_details`, route, async (request) => {
    await callerOf(request, SCHEDULER_SCOPES.read);
    const keep = resourceFilter(member(readQry(request.query, ['resource_filter', 'resource_details_required']), 'resource_filter'));
    return [resourceList(await scheduling.halls(), request.locale, keep)];
  });

  app.get<Query>(`${SCHEDULER_BASE}/resource/availability`, route, async (request) => {
    await callerOf(request, SCHEDULER_SCOPES.read);
    const query = freeResourceQuery(member(readQry(request.query, ['free_resource_filter']), 'free_resource_filter'));
    // Every field is optional in the spec: without Entity_id, every hall the entity list shows.
    const halls = query.hallId !== undefined ? [await scheduling.requireHall(query.hallId)] : await scheduling.halls();
    const from = query.from ?? kernel.now();
    const to = query.to ?? new Date(from.getTime() + 7 * 86_400_000);
    const list: { resource_id: string; resource_name: string; free_slots: string[] }[] = [];
    for (const hall of halls.filter((h) => h.counters.some(query.counter))) {
      for (const free of await scheduling.freeByCounter(hall, from, to)) {
        const counter = hall.counters.find((c) => c.id === free.counterId);
        if (counter && query.counter(counter)) list.push({ resource_id: counter.id, resource_name: resourceName(hall, counter, request.locale), free_slots: free.slots.map(freeSlot) });
      }
    }
    return [list];
  });

  app.get<Query>(`${SCHEDULER_BASE}/appointment/list_details`, route, async (request) => {
    const caller = await callerOf(request, SCHEDULER_SCOPES.read);
    const query = appointmentQuery(member(readQry(request.query, ['appointment_filter', 'appointment_details_required']), 'appointment_filter'));
    // A filter none of ours can match (another participant type, exclusive false) lists nothing.
    const items = query ? await scheduling.listAppointments({ ...query, agencies: [caller.agency] }) : [];
    // Who has an appointment when is personal data: each person listed gets an audit record.
    for (const subject of new Set(items.map((a) => a.accountId))) {
      await kernel.audit.append(kernel.db, {
        actor: caller.actor, action: 'scheduling.appointment.list', subject, purpose: purposeText('scheduling.purpose.govstackList'),
        requestId: String(request.id), details: { appointments: items.filter((a) => a.accountId === subject).map((a) => a.reference) },
      });
    }
    return [appointmentList(items)];
  });

  app.post<Query>(`${SCHEDULER_BASE}/appointment/new`, route, async (request, reply) => {
    const caller = await callerOf(request, SCHEDULER_SCOPES.book);
    const details = member(readQry(request.query.qry === undefined && request.body ? { qry: JSON.stringify(request.body) } : request.query, ['appointment_details']), 'appointment_details');
    const where = 'appointment_details';
    const events = Array.isArray(details.event_ids) ? details.event_ids.map(String) : [];
    const participantType = text(details, 'participant_type', where) ?? 'application';
    const applicationId = text(details, 'participant_id', where);
    if (events.length !== 1 || participantType !== 'application' || !applicationId) {
      throw invalidQuery('appointment_details needs one event_ids entry, participant_type "application" and participant_id (the application id)');
    }
    const from = request.query.qry !== undefined ? '/query/qry' : request.body ? '/body' : '/query';
    const event = parseEventId(events[0]!, `${from}/appointment_details/event_ids/0`);
    // With an Idempotency-Key a retry gets the first answer and books nothing twice (ADR 31).
    return idempotentAnswer(kernel, request, reply, async (idempotency) => {
      const context = await scheduling.forSystem(applicationId, caller.principal);
      return scheduling.book(context, { hallId: event.hallId, day: event.day, time: event.time }, { actor: caller.actor, locale: request.locale, requestId: request.id, idempotency }, 'book');
    }, async (booked: { reference: string }) => {
      const found = await scheduling.appointmentByReference(booked.reference);
      // The spec answers a JSON string in the shape of its example.
      return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(`[Event_id:${found ? eventId(found.hallId, found.startsAt) : ''},appointment_id:${booked.reference}]`) };
    });
  });

  /** The answer of a change: the appointment as it is after it (a replay after a lost answer reads it again). */
  const changed = async (result: { reference: string }) => {
    const found = await scheduling.appointmentByReference(result.reference);
    return { status: 200, body: found ? appointmentList([found])[0] : undefined };
  };

  app.put<Query>(`${SCHEDULER_BASE}/appointment/modifications`, route, async (request, reply) => {
    const caller = await callerOf(request, SCHEDULER_SCOPES.book);
    return idempotentAnswer(kernel, request, reply, async (idempotency) => {
      const found = await ownAppointment(caller, request.query.appointment_id);
      const details = member(readQry(request.query, ['details']), 'details');
      const context = await scheduling.forSystem(found.applicationId, caller.principal);
      const who = { actor: caller.actor, locale: request.locale, requestId: request.id, idempotency };
      if (statusFromSpec(text(details, 'status_id', 'details')) === 'cancelled') return scheduling.cancel(context, who);
      const target = text(details, 'event_id', 'details');
      if (!target) throw invalidQuery('details.event_id (the new time) or details.status_id "cancelled" is required');
      const event = parseEventId(target, `${request.query.qry !== undefined ? '/query/qry' : '/query'}/details/event_id`);
      return scheduling.book(context, { hallId: event.hallId, day: event.day, time: event.time }, who, 'move');
    }, changed);
  });

  app.delete<Query>(`${SCHEDULER_BASE}/appointment`, route, async (request, reply) => {
    const caller = await callerOf(request, SCHEDULER_SCOPES.book);
    return idempotentAnswer(kernel, request, reply, async (idempotency) => {
      const found = await ownAppointment(caller, request.query.appointment_id);
      const context = await scheduling.forSystem(found.applicationId, caller.principal);
      return scheduling.cancel(context, { actor: caller.actor, locale: request.locale, requestId: request.id, idempotency });
    }, changed);
  });
}
