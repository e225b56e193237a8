-- The indexer's tables. Every row of an entity table is the contract's own view of that
-- entity (`data`, JSON: u128 and u64 as decimal strings, accounts as SS58) as of the
-- block `block_number`, plus typed columns for the searches. Amounts are NUMERIC(39,0):
-- a u128 never passes through a JS number.

-- One row: the chain and deployment this database follows, and the last block indexed.
CREATE TABLE indexer_cursor (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  network text NOT NULL,
  genesis_hash text NOT NULL,
  contracts jsonb NOT NULL,
  block_number bigint NOT NULL,
  block_hash text NOT NULL,
  block_time bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every event of the five contracts, in chain order (append-only).
CREATE TABLE events (
  block_number bigint NOT NULL,
  event_index integer NOT NULL,
  block_hash text NOT NULL,
  block_time bigint NOT NULL,
  extrinsic_index integer,
  contract text NOT NULL,
  name text NOT NULL,
  args jsonb NOT NULL,
  PRIMARY KEY (block_number, event_index)
);
CREATE INDEX events_contract_name ON events (contract, name);
CREATE INDEX events_case ON events ((args ->> 'case')) WHERE contract = 'dispute_dao' AND args ? 'case';
CREATE INDEX events_escrow ON events ((args ->> 'id')) WHERE contract = 'escrow';

-- Which accounts each event names (any argument holding an account), for histories.
CREATE TABLE event_accounts (
  account text NOT NULL,
  block_number bigint NOT NULL,
  event_index integer NOT NULL,
  PRIMARY KEY (account, block_number, event_index)
);

CREATE TABLE models (
  id bigint PRIMARY KEY,
  owner text NOT NULL,
  name text NOT NULL,
  metadata_uri text NOT NULL,
  weights_hash text NOT NULL,
  version text NOT NULL,
  parent bigint,
  royalty_bps integer NOT NULL,
  tags text[] NOT NULL,
  status text NOT NULL,
  successor bigint,
  offer_count integer NOT NULL,
  auditor_count integer NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  -- Kept by ModelRated events alone (the model's upserts leave them as they are).
  rating_sum numeric(39, 0) NOT NULL DEFAULT 0,
  rating_count bigint NOT NULL DEFAULT 0,
  search tsvector NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX models_name_prefix ON models (lower(name) text_pattern_ops);
CREATE INDEX models_search ON models USING gin (search);
CREATE INDEX models_tags ON models USING gin (tags);
CREATE INDEX models_owner ON models (owner, id);
CREATE INDEX models_parent ON models (parent, id) WHERE parent IS NOT NULL;

CREATE TABLE license_offers (
  model_id bigint NOT NULL,
  offer_id integer NOT NULL,
  kind text NOT NULL,
  kind_value numeric(39, 0),
  price numeric(39, 0) NOT NULL,
  asset text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL,
  PRIMARY KEY (model_id, offer_id)
);

CREATE TABLE licenses (
  id bigint PRIMARY KEY,
  buyer text NOT NULL,
  model_id bigint NOT NULL,
  offer_id integer NOT NULL,
  offer_version integer NOT NULL,
  kind text NOT NULL,
  price numeric(39, 0) NOT NULL,
  asset text NOT NULL,
  escrow_id bigint NOT NULL,
  purchased_at bigint NOT NULL,
  granted boolean,
  released_at bigint,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX licenses_buyer ON licenses (buyer, id);
CREATE INDEX licenses_model ON licenses (model_id, id);

CREATE TABLE escrows (
  id bigint PRIMARY KEY,
  payer text NOT NULL,
  payee text NOT NULL,
  opener text NOT NULL,
  asset text NOT NULL,
  kind text NOT NULL,
  state text NOT NULL,
  context bigint NOT NULL,
  collateral bigint,
  settle_reason text,
  settled_at bigint,
  opened_at bigint NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX escrows_payer ON escrows (payer, id);
CREATE INDEX escrows_payee ON escrows (payee, id);
CREATE INDEX escrows_reason ON escrows (settle_reason) WHERE settle_reason IS NOT NULL;

CREATE TABLE collaterals (
  id bigint PRIMARY KEY,
  owner text NOT NULL,
  asset text NOT NULL,
  amount numeric(39, 0) NOT NULL,
  at_stake numeric(39, 0) NOT NULL,
  open integer NOT NULL,
  released boolean NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);

CREATE TABLE gpu_offers (
  id bigint PRIMARY KEY,
  provider text NOT NULL,
  gpu_model text NOT NULL,
  vram_gb integer NOT NULL,
  capacity integer NOT NULL,
  free_gpus integer NOT NULL,
  region text NOT NULL,
  price_per_gpu_hour numeric(39, 0) NOT NULL,
  min_hours integer NOT NULL,
  max_hours integer NOT NULL,
  asset text NOT NULL,
  status text NOT NULL,
  version integer NOT NULL,
  expires_at bigint NOT NULL,
  volume numeric(39, 0) NOT NULL,
  attested boolean NOT NULL,
  attestation_expires_at bigint,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX gpu_offers_region_price ON gpu_offers (region, price_per_gpu_hour, id);
CREATE INDEX gpu_offers_gpu_price ON gpu_offers (gpu_model, price_per_gpu_hour, id);
CREATE INDEX gpu_offers_price ON gpu_offers (price_per_gpu_hour, id);
CREATE INDEX gpu_offers_provider ON gpu_offers (provider, id);

CREATE TABLE rentals (
  id bigint PRIMARY KEY,
  offer_id bigint NOT NULL,
  provider text NOT NULL,
  renter text NOT NULL,
  escrow_id bigint NOT NULL,
  gpus integer NOT NULL,
  hours integer NOT NULL,
  paid numeric(39, 0) NOT NULL,
  asset text NOT NULL,
  status text NOT NULL,
  outcome text,
  booked_at bigint NOT NULL,
  started_at bigint,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX rentals_renter ON rentals (renter, id);
CREATE INDEX rentals_provider ON rentals (provider, id);
CREATE INDEX rentals_offer ON rentals (offer_id, id);

CREATE TABLE providers (
  account text PRIMARY KEY,
  completed integer NOT NULL,
  ended_early integer NOT NULL,
  disputed integer NOT NULL,
  lost integer NOT NULL,
  no_shows integer NOT NULL,
  below_minimum integer NOT NULL,
  distinct_renters integer NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);

CREATE TABLE cases (
  id bigint PRIMARY KEY,
  escrow_id bigint NOT NULL,
  payer text NOT NULL,
  payee text NOT NULL,
  status text NOT NULL,
  phase text NOT NULL,
  phase_ends bigint NOT NULL,
  round integer NOT NULL,
  held numeric(39, 0) NOT NULL,
  opened_at bigint NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX cases_open ON cases (id) WHERE phase <> 'Closed';

-- A juror's vote; `choice` is known only once revealed (the chain hides it before).
CREATE TABLE votes (
  case_id bigint NOT NULL,
  round integer NOT NULL,
  juror text NOT NULL,
  weight numeric(39, 0) NOT NULL,
  choice integer,
  voided boolean NOT NULL,
  settled boolean NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL,
  PRIMARY KEY (case_id, round, juror)
);

CREATE TABLE members (
  account text PRIMARY KEY,
  staked numeric(39, 0) NOT NULL,
  at_risk numeric(39, 0) NOT NULL,
  credit numeric(39, 0) NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);

CREATE TABLE proposals (
  id bigint PRIMARY KEY,
  proposer text NOT NULL,
  action text NOT NULL,
  state text NOT NULL,
  vote_start bigint NOT NULL,
  vote_end bigint NOT NULL,
  eta bigint NOT NULL,
  expires_at bigint NOT NULL,
  data jsonb NOT NULL,
  block_number bigint NOT NULL
);
CREATE INDEX proposals_live ON proposals (id) WHERE state NOT IN ('Executed', 'Canceled', 'Expired', 'Defeated');
