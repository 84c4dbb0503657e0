-- Customer transfers between consultants (在职继承 on the job, 离职继承 after a member left): one row
-- per request, one row per customer with what became of them. The customers go to WeCom in batches
-- of 100; the `wecom.transfers` job polls transfer_result until each is settled, and a transfer_fail
-- callback settles a refused one at once.
--
-- Who writes the friendships of a transfer: whichever path learns first. When a customer is taken
-- over, the result poller ends the old consultant's live episode (removed_by 'transfer', source
-- DELETE_BY_TRANSFER), starts the new consultant's episode (add_way 202, 管理员/负责人分配) and links
-- the customer to the new consultant's dealer. WeCom's own callbacks for the same takeover (a
-- del_external_contact with Source DELETE_BY_TRANSFER, an add_external_contact) then find that done:
-- the add finds the live episode and only refreshes its details; the del finds no live episode but
-- one the transfer ended and writes nothing. In the other order the callbacks write the episodes and
-- the poller finds nothing left to do. Timeline events (WeCom Contact Added / Removed) come from the
-- callbacks only, so they are never counted twice.
CREATE TABLE wecom_transfers (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  connector_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('on_job', 'resigned')),
  handover_userid text NOT NULL,
  handover_staff_id uuid,
  -- The members' org units when asked: a dealer manager sees the transfers into and out of their units.
  handover_unit_id uuid,
  takeover_userid text NOT NULL,
  takeover_staff_id uuid NOT NULL,
  takeover_unit_id uuid NOT NULL,
  message text,
  idempotency_key text,
  -- What was asked (kind, connector, members, customers, message), to tell a repeat from another request under the same key.
  request_hash text NOT NULL,
  requested_by text NOT NULL,
  created_at timestamptz NOT NULL,
  settled_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, connector_id) REFERENCES wecom_connectors (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX wecom_transfers_by_key ON wecom_transfers (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX wecom_transfers_recent ON wecom_transfers (tenant_id, created_at DESC, id DESC);

CREATE TABLE wecom_transfer_customers (
  tenant_id uuid NOT NULL,
  transfer_id uuid NOT NULL,
  position integer NOT NULL,
  connector_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('on_job', 'resigned')),
  external_userid text NOT NULL,
  profile_id uuid,
  -- The WeCom call (1, 2, …) that carried the customer; NULL while not sent.
  batch integer,
  outcome text NOT NULL CHECK (outcome IN ('pending', 'waiting', 'taken_over', 'refused', 'limit_exceeded', 'not_found', 'failed', 'over_quota', 'in_transfer')),
  errcode integer,
  reason text,
  requested_at timestamptz NOT NULL,
  taken_over_at timestamptz,
  settled_at timestamptz,
  PRIMARY KEY (tenant_id, transfer_id, position),
  UNIQUE (tenant_id, transfer_id, external_userid),
  FOREIGN KEY (tenant_id, transfer_id) REFERENCES wecom_transfers (tenant_id, id) ON DELETE CASCADE
);
-- WeCom allows two on-the-job transfers per customer in 90 days: counted per customer before calling.
CREATE INDEX wecom_transfer_customers_by_customer ON wecom_transfer_customers (tenant_id, connector_id, external_userid, requested_at);
CREATE INDEX wecom_transfer_customers_open ON wecom_transfer_customers (tenant_id, transfer_id) WHERE outcome IN ('pending', 'waiting');
