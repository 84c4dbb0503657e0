-- Issue 5: the dealer network (org units), staff and their sessions, customer scopes, leads through
-- the 4S funnel, orders and after-sales, attribution credit, lead-source connectors and notifications.
-- Runs unchanged on PGlite and PostgreSQL. Every table has tenant_id first in its keys.

-- HQ -> region -> dealer group -> dealer -> team. `path` lists the ancestors and the unit itself,
-- root first, so "unit X and everything under it" is `path @> ARRAY[X]`.
CREATE TABLE org_units (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  type text NOT NULL CHECK (type IN ('hq', 'region', 'dealer_group', 'dealer', 'team')),
  parent_id uuid,
  path uuid[] NOT NULL,
  city text,
  province text,
  latitude double precision CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
  -- Dealers: new leads per day the store can work (routing weight; NULL = no limit) and the series
  -- it sells (NULL = all).
  capacity integer CHECK (capacity IS NULL OR capacity >= 0),
  series text[],
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX org_units_by_parent ON org_units (tenant_id, parent_id);

-- Staff log in with a user name (unique across tenants: login names no tenant) and a password
-- (scrypt, parameters and salt in the stored string).
CREATE TABLE staff (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  username text NOT NULL CHECK (length(username) BETWEEN 3 AND 64),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role text NOT NULL CHECK (role IN ('admin', 'hq_ops', 'analyst', 'dealer_manager', 'consultant', 'service_advisor')),
  org_unit_id uuid NOT NULL,
  password_hash text NOT NULL,
  -- The consultant's WeCom user id: customers who are their WeCom friends are in their scope.
  wecom_user_id text,
  phone text,
  -- Open leads a consultant may hold at once (routing load cap; NULL = the tenant default).
  max_open_leads integer CHECK (max_open_leads IS NULL OR max_open_leads >= 0),
  active boolean NOT NULL DEFAULT true,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, org_unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE UNIQUE INDEX staff_by_username ON staff (lower(username));
CREATE INDEX staff_by_unit ON staff (tenant_id, org_unit_id);
CREATE UNIQUE INDEX staff_by_wecom ON staff (tenant_id, wecom_user_id) WHERE wecom_user_id IS NOT NULL;

-- Bearer tokens issued at login; only their SHA-256 hash is stored.
CREATE TABLE staff_sessions (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  staff_id uuid NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX staff_sessions_by_hash ON staff_sessions (token_hash);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (tenant_id, staff_id);

-- Which dealers (org units) a customer belongs to, and why: a lead routed there, an order or an
-- after-sales visit there, the unit that first brought them in. Dealer staff see the customers of
-- their units; a consultant sees the customers of the leads assigned to them and their WeCom friends.
CREATE TABLE customer_links (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  org_unit_id uuid NOT NULL,
  reason text NOT NULL CHECK (reason IN ('lead', 'order', 'after_sales', 'origin', 'manual')),
  since timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, profile_id, org_unit_id)
);
CREATE INDEX customer_links_by_unit ON customer_links (tenant_id, org_unit_id, profile_id);

-- Attribution credit: the unit (and source) that first brought the person in.
CREATE TABLE profile_origins (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  org_unit_id uuid,
  source text NOT NULL,
  lead_id uuid,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, profile_id)
);
CREATE INDEX profile_origins_by_unit ON profile_origins (tenant_id, org_unit_id);

-- Leads from public platforms, forms and dealer systems, through the 4S funnel. Milestone times are
-- kept on the row (first time the lead reached each status) so that KPIs are one scan.
CREATE TABLE leads (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  profile_id uuid,
  source text NOT NULL,
  external_id text,
  channel text,
  campaign text,
  name text,
  phone text,
  phone_masked text,
  phone_hash text,
  city text,
  province text,
  series text,
  model text,
  dealer_code text,
  consultant_hint text,
  dealer_id uuid,
  consultant_id uuid,
  status text NOT NULL CHECK (status IN ('new', 'assigned', 'contacted', 'invited', 'visited', 'test_drive',
    'ordered', 'invoiced', 'delivered', 'defeated', 'invalid')),
  dedup text NOT NULL CHECK (dedup IN ('new', 'merged', 'duplicate')),
  duplicate_of uuid,
  score integer NOT NULL DEFAULT 0,
  score_factors jsonb NOT NULL DEFAULT '[]',
  in_pool boolean NOT NULL DEFAULT false,
  pool_reason text,
  invalid_reason text,
  defeat_reason text,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  assigned_at timestamptz,
  first_follow_up_at timestamptz,
  sla_due_at timestamptz,
  next_follow_up_at timestamptz,
  contacted_at timestamptz,
  invited_at timestamptz,
  visited_at timestamptz,
  test_drive_at timestamptz,
  ordered_at timestamptz,
  invoiced_at timestamptz,
  delivered_at timestamptz,
  closed_at timestamptz,
  -- First time the person became reachable (WeCom friend or marketing consent) after the lead.
  reachable_at timestamptz,
  reassign_count integer NOT NULL DEFAULT 0,
  -- Defeat requests on the lead, all / approved / pending: kept by the trigger on defeat_requests
  -- (below) so that the KPIs are one scan of leads without a join (docs/kpis.md).
  defeat_request_count integer NOT NULL DEFAULT 0,
  defeat_approved_count integer NOT NULL DEFAULT 0,
  defeat_pending_count integer NOT NULL DEFAULT 0,
  raw jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX leads_by_external ON leads (tenant_id, source, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX leads_by_profile ON leads (tenant_id, profile_id, created_at DESC);
CREATE INDEX leads_by_time ON leads (tenant_id, created_at DESC, id DESC);
CREATE INDEX leads_by_dealer ON leads (tenant_id, dealer_id, created_at DESC);
CREATE INDEX leads_by_consultant ON leads (tenant_id, consultant_id, status);
CREATE INDEX leads_in_pool ON leads (tenant_id, created_at DESC) WHERE in_pool;

-- Every status change with its time and actor (staff:<id>, admin_token:<id>, system:<what>).
CREATE SEQUENCE lead_transitions_id_seq;
CREATE TABLE lead_transitions (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('lead_transitions_id_seq'),
  lead_id uuid NOT NULL,
  from_status text,
  to_status text NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  reason text,
  remark text,
  details jsonb,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_transitions_by_lead ON lead_transitions (tenant_id, lead_id, id);

-- Calls, WeCom chats, visits ... and the next planned follow-up.
CREATE TABLE lead_follow_ups (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('call', 'wecom_chat', 'sms', 'visit', 'other')),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  staff_id uuid,
  note text,
  next_follow_up_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_follow_ups_by_lead ON lead_follow_ups (tenant_id, lead_id, at DESC);

-- A consultant asks to close a lead as defeated (战败); a manager approves or rejects.
CREATE TABLE defeat_requests (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  reason_code text NOT NULL,
  remark text NOT NULL,
  previous_status text NOT NULL,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX defeat_requests_by_lead ON defeat_requests (tenant_id, lead_id);
CREATE UNIQUE INDEX defeat_requests_one_pending ON defeat_requests (tenant_id, lead_id) WHERE state = 'pending';

-- Keeps leads.defeat_*_count in step with the lead's defeat requests, whoever writes them.
CREATE FUNCTION siyu_lead_defeat_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE leads SET defeat_request_count = defeat_request_count - 1,
      defeat_approved_count = defeat_approved_count - (OLD.state = 'approved')::int,
      defeat_pending_count = defeat_pending_count - (OLD.state = 'pending')::int
    WHERE tenant_id = OLD.tenant_id AND id = OLD.lead_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE leads SET defeat_request_count = defeat_request_count + 1,
      defeat_approved_count = defeat_approved_count + (NEW.state = 'approved')::int,
      defeat_pending_count = defeat_pending_count + (NEW.state = 'pending')::int
    WHERE tenant_id = NEW.tenant_id AND id = NEW.lead_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER defeat_requests_counts AFTER INSERT OR DELETE OR UPDATE OF state, lead_id, tenant_id ON defeat_requests
  FOR EACH ROW EXECUTE FUNCTION siyu_lead_defeat_counts();

-- Routing rules: leads matching (cities / provinces / series / sources) go to these dealers.
CREATE TABLE routing_rules (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  priority integer NOT NULL DEFAULT 100,
  cities text[],
  provinces text[],
  series text[],
  sources text[],
  dealer_ids uuid[] NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);

-- Round-robin position per dealer (the consultant who got the last lead), and how many leads routing
-- sent the dealer on `day` (the tenant's local date): its daily capacity, without counting leads.
CREATE TABLE routing_cursors (
  tenant_id uuid NOT NULL,
  dealer_id uuid NOT NULL,
  last_staff_id uuid,
  day date,
  routed integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, dealer_id)
);

-- Per-tenant lead settings (duplicate window, SLA, default load cap).
CREATE TABLE lead_settings (
  tenant_id uuid NOT NULL PRIMARY KEY,
  duplicate_window_days integer NOT NULL DEFAULT 30 CHECK (duplicate_window_days BETWEEN 0 AND 365),
  sla_hours integer NOT NULL DEFAULT 48 CHECK (sla_hours BETWEEN 1 AND 720),
  default_max_open_leads integer NOT NULL DEFAULT 200 CHECK (default_max_open_leads >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Orders and deliveries (an order may come from a lead or straight from the DMS).
CREATE TABLE orders (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  order_no text NOT NULL,
  lead_id uuid,
  profile_id uuid NOT NULL,
  dealer_id uuid,
  consultant_id uuid,
  series text,
  model text,
  vin text,
  amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
  status text NOT NULL CHECK (status IN ('ordered', 'invoiced', 'delivered', 'cancelled')),
  ordered_at timestamptz NOT NULL,
  invoiced_at timestamptz,
  delivered_at timestamptz,
  cancelled_at timestamptz,
  referred_by uuid,
  -- Attribution credit: the unit that first brought the buyer in (profile_origins) when the order was made.
  origin_unit_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, order_no)
);
CREATE INDEX orders_by_profile ON orders (tenant_id, profile_id);
CREATE INDEX orders_by_dealer ON orders (tenant_id, dealer_id, ordered_at DESC);
CREATE INDEX orders_by_lead ON orders (tenant_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX orders_by_origin ON orders (tenant_id, origin_unit_id, ordered_at DESC) WHERE origin_unit_id IS NOT NULL;

-- After-sales: first maintenance, repair, insurance renewal, accessories, trade-in appraisal ...
CREATE TABLE after_sales (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  external_id text,
  profile_id uuid NOT NULL,
  vin text,
  dealer_id uuid,
  kind text NOT NULL CHECK (kind IN ('first_maintenance', 'maintenance', 'repair', 'insurance_renewal', 'accessories', 'trade_in_appraisal')),
  amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
  at timestamptz NOT NULL,
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX after_sales_by_external ON after_sales (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX after_sales_by_profile ON after_sales (tenant_id, profile_id, at DESC);
CREATE INDEX after_sales_by_dealer ON after_sales (tenant_id, dealer_id, at DESC);

-- Lead-source connectors (Ocean Engine ...): configuration (secrets encrypted) and the poll cursor.
CREATE TABLE lead_connectors (
  tenant_id uuid NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  config jsonb NOT NULL,
  secret_enc text,
  cursor jsonb,
  last_run_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, kind, key)
);

-- Messages to staff (an SLA reclaim tells the dealer manager).
CREATE TABLE notifications (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  staff_id uuid NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  -- What makes a repeated notification the same one (a retried job notifies once).
  dedupe_key text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, staff_id, dedupe_key)
);
CREATE INDEX notifications_by_staff ON notifications (tenant_id, staff_id, created_at DESC);
