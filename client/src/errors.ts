/**
 * Every typed error the marketplace contracts return, as one plain sentence for the
 * person who clicked. The meaning of each variant follows its `///` line in the Rust
 * sources (`contracts/model_registry/errors.rs`, `contracts/market_types/vault.rs`,
 * `contracts/market_types/admin.rs` (the admin messages of the registry and the market:
 * `Administered::…`, `RegistryAdmin::…`, `MarketAdmin::…`),
 * `contracts/compute_market/errors.rs`, `contracts/dispute_dao/errors.rs`,
 * `psp22::PSP22Error`). A refused call changes nothing on chain: the contracts revert
 * every message that returns an error.
 *
 * Each describer is an exhaustive `switch` ending in a `never` check, so a variant added
 * to a contract (and to the regenerated typings) fails `tsc --strict` here until it has
 * a sentence. At run time no describer throws: a shape the typings do not know comes
 * back as "The contract refused the call (<errorName>)."
 */
import type {
  MarketTypesVaultTokenError,
  ModelRegistryErrorsError,
} from './contracts/model-registry/types.js';
import type { MarketTypesVaultVaultError } from './contracts/escrow/types.js';
import type { MarketTypesAdminAdminError } from './contracts/model-registry/types.js';
import type { Psp22ErrorsPsp22Error } from './contracts/market-token/types.js';
import type { ComputeMarketErrorsError } from './contracts/compute-market/types.js';
import type { DisputeDaoErrorsError } from './contracts/dispute-dao/types.js';

/**
 * Which contract refused: the model registry, the escrow vault, a PSP22 token, the
 * compute market or the dispute DAO; `admin` for an admin message of the registry or the
 * market (they answer with the shared `AdminError`).
 */
export type ContractKind = 'registry' | 'vault' | 'token' | 'compute' | 'dao' | 'admin';

/** One sentence, plain words, ending with a period; names what to do where useful. */
export function describeRegistryError(e: ModelRegistryErrorsError): string {
  return guarded(e, registrySentence);
}

/** One sentence for a refusal of the escrow vault (also nested as the registry's `Vault(..)`). */
export function describeVaultError(e: MarketTypesVaultVaultError): string {
  return guarded(e, vaultSentence);
}

/**
 * One sentence for a PSP22 token's refusal as the registry or the vault pass it on
 * (`Token(..)`): the token would not move a payment the contract asked it to move.
 */
export function describeTokenError(e: MarketTypesVaultTokenError): string {
  return guarded(e, tokenSentence);
}

/** One sentence for a refusal of an admin message of the registry or the compute market. */
export function describeAdminError(e: MarketTypesAdminAdminError): string {
  return guarded(e, adminSentence);
}

/** One sentence for a refusal of the GPU compute market. */
export function describeComputeError(e: ComputeMarketErrorsError): string {
  return guarded(e, computeSentence);
}

/** One sentence for a refusal of the dispute DAO (juries, staking, proposals). */
export function describeDaoError(e: DisputeDaoErrorsError): string {
  return guarded(e, daoSentence);
}

/** One sentence for a refusal of a direct call to the market token (transfer, approve, …). */
export function describePsp22Error(e: Psp22ErrorsPsp22Error): string {
  return guarded(e, psp22Sentence);
}

/** Dispatches on kind; `e` is the decoded `err` of a refused call. Never throws. */
export function describeError(kind: ContractKind, e: unknown): string {
  // `AdminError` has only unit variants, which dedot decodes to their names.
  if (kind === 'admin' && typeof e === 'string') return guarded(e as MarketTypesAdminAdminError, adminSentence);
  if (!isTagged(e)) return refused(e);
  switch (kind) {
    case 'registry':
      return guarded(e as ModelRegistryErrorsError, registrySentence);
    case 'vault':
      return guarded(e as MarketTypesVaultVaultError, vaultSentence);
    case 'token':
      return guarded(e as Psp22ErrorsPsp22Error, psp22Sentence);
    case 'compute':
      return guarded(e as ComputeMarketErrorsError, computeSentence);
    case 'dao':
      return guarded(e as DisputeDaoErrorsError, daoSentence);
    case 'admin':
      return refused(e);
    default: {
      const unknownKind: never = kind;
      void unknownKind;
      return refused(e);
    }
  }
}

/** The variant path, e.g. "Vault(ControllerOnly)" or "OfferChanged", for logs and tests. */
export function errorName(e: unknown): string {
  return nameOf(e, 0);
}

// ---------------------------------------------------------------- the sentences

function computeSentence(e: ComputeMarketErrorsError): string {
  switch (e.type) {
    case 'NotProvider':
      return 'Only the provider of this offer can do this; switch to the account that published it.';
    case 'NotRenter':
      return 'Only the renter of this rental can do this; switch to the account that rented it.';
    case 'NotAuditor':
      return 'Only an approved auditor can attest offers.';
    case 'OfferNotFound':
      return 'There is no GPU offer with this id; it may have been mistyped.';
    case 'RentalNotFound':
      return 'There is no rental with this id.';
    case 'OfferNotActive':
      return 'This offer is paused or retired and takes no new rentals.';
    case 'OfferNotPaused':
      return 'Only a paused offer can be resumed.';
    case 'OfferRetired':
      return 'This offer is retired; nothing about it can change any more.';
    case 'OfferExpired':
      return 'This offer’s collateral lock has expired, so it takes no new rentals; the provider can retire it and publish again.';
    case 'OfferChanged':
      return 'The provider changed this offer after you opened it; reload to see the new terms. Nothing was charged.';
    case 'InvalidGpuModel':
      return 'The GPU model must be 1–32 characters of letters, digits, spaces, “-”, “_” or “.”.';
    case 'InvalidRegion':
      return 'The region must be 1–32 characters of letters, digits, spaces, “-”, “_” or “.”.';
    case 'InvalidVram':
      return 'VRAM must be above zero.';
    case 'InvalidCapacity':
      return 'The number of GPUs offered is out of range.';
    case 'ZeroPrice':
      return 'An offer must have a price above zero.';
    case 'InvalidHours':
      return 'Hours must satisfy 1 ≤ minimum ≤ maximum.';
    case 'PeriodTooLong':
      return 'That period reaches too far: no rental, hour or window may be longer than 366 days.';
    case 'InvalidPeriod':
      return 'A period must be above zero.';
    case 'InvalidStartWindow':
      return 'The start window must be above zero and at most the market’s maximum.';
    case 'InvalidCollateralRatio':
      return 'The collateral ratio is out of range.';
    case 'InvalidNoShowBps':
      return 'The no-show penalty must be at most 100 % and at most the collateral ratio.';
    case 'ZeroCollateral':
      return 'This offer’s collateral would round down to zero; raise its price or hours.';
    case 'CollateralShort':
      return 'The offer’s collateral does not cover these terms (or the penalties of its booked rentals).';
    case 'AssetNotAllowed':
      return 'The compute market does not accept this token as payment.';
    case 'WrongPayment':
      return 'The amount sent does not match: native payments send exactly the price, token payments send nothing (approve the market instead). Nothing was charged.';
    case 'CannotRentOwnOffer':
      return 'You cannot rent your own offer.';
    case 'ZeroGpus':
      return 'A rental needs at least one GPU.';
    case 'ZeroHours':
      return 'An extension needs at least one hour.';
    case 'HoursOutOfRange':
      return 'The hours are outside what this offer allows.';
    case 'CapacityExceeded':
      return 'Not enough of this offer’s GPUs are free right now; rent fewer or try later.';
    case 'RentalsOpen':
      return 'This offer still has open rentals; it can be retired once they are settled.';
    case 'RentalNotBooked':
      return 'Only a booked rental that has not started can do this.';
    case 'RentalNotActive':
      return 'This rental is no longer booked or running.';
    case 'RentalNotStarted':
      return 'This rental never started; cancel it as a no-show once its start window has passed.';
    case 'StartWindowPassed':
      return 'The start window of this rental has passed; it can only be cancelled as a no-show now.';
    case 'StartWindowOpen':
      return 'The provider still has time to start this rental; a no-show can be cancelled after the start window.';
    case 'RentalOver':
      return 'This rental’s time is over.';
    case 'RentalNotOver':
      return 'This rental’s time is not over yet.';
    case 'OutcomePending':
      return 'The GPUs are back, but the payment stream is not settled in the vault yet (unclaimed pay or a dispute); settle again later.';
    case 'RentalClosed':
      return 'This rental is already closed.';
    case 'ExpiryNotInFuture':
      return 'An attestation must expire in the future.';
    case 'CannotAttestOwnOffer':
      return 'A provider cannot attest its own offer.';
    case 'AttestationNotFound':
      return 'You have no attestation on this offer.';
    case 'Overflow':
      return 'An amount would overflow; use smaller numbers.';
    case 'Vault':
      return vaultSentence(e.value);
    case 'VaultCallFailed':
      return 'The call to the escrow vault failed, so nothing was changed; try again later.';
    case 'Token':
      return tokenSentence(e.value);
    case 'TokenCallFailed':
      return 'The call to the payment token failed, so nothing was charged; try again later.';
    case 'AuditorsCallFailed':
      return 'The auditor list (the model registry) could not be read; try again later.';
    case 'Paused':
      return 'New offers and rentals are paused by the marketplace’s guardian; running rentals go on. Try again once the pause is lifted.';
    case 'CollateralHeld':
      return 'The vault still holds this offer’s collateral for a dispute (a rental of it was refunded while disputed): it stays locked until the dispute is ruled or its ruling deadline passes. Retire the offer then.';
    default:
      return unknownVariant(e);
  }
}

function registrySentence(e: ModelRegistryErrorsError): string {
  switch (e.type) {
    case 'NotModelOwner':
      return 'Only the owner of this model can do this; switch to the account that owns it.';
    case 'NotAuditor':
      return 'This account is not on the registry’s list of auditors, so it cannot attest models.';
    case 'ModelNotFound':
      return 'There is no model with this id; check the link or reload the catalogue.';
    case 'OfferNotFound':
      return 'This model has no offer with this id; reload the model to see its current offers.';
    case 'ParentNotFound':
      return 'The parent model you named does not exist; check its id.';
    case 'ParentDelisted':
      return 'The parent model you named is delisted and cannot be a parent any more; choose another one.';
    case 'SuccessorNotFound':
      return 'The successor model you named does not exist; check its id.';
    case 'InvalidSuccessor':
      return 'That successor cannot be used: a model cannot succeed itself, and a delisted model cannot be a successor.';
    case 'ModelDelisted':
      return 'This model is delisted, so nothing about it can change any more.';
    case 'ModelNotActive':
      return 'This model is no longer active (it was deprecated or delisted), so it cannot sell licenses, publish offers or be deprecated.';
    case 'OfferRetired':
      return 'This offer has been retired, so it can no longer be bought, changed or retired again.';
    case 'TooManyOffers':
      return 'This model already has as many offers as the registry allows; update an existing offer instead.';
    case 'InvalidName':
      return 'The name is empty or too long; enter a shorter name.';
    case 'InvalidUri':
      return 'The metadata link is empty or too long; enter a shorter URI.';
    case 'TooManyTags':
      return 'There are too many tags; remove some and try again.';
    case 'InvalidTag':
      return 'Each tag must be short and non-empty and use only lowercase letters, digits and hyphens (a-z, 0-9, -).';
    case 'DuplicateTag':
      return 'The same tag appears twice; remove the duplicate.';
    case 'RoyaltyAboveCap':
      return 'The royalty is above the registry’s current maximum; lower it.';
    case 'RoyaltyWithoutParent':
      return 'A royalty needs a parent model to be paid to; name a parent or set the royalty to zero.';
    case 'RoyaltyCapTooHigh':
      return 'That royalty cap is above the registry’s hard limit; choose a lower cap.';
    case 'VersionNotIncreasing':
      return 'The new version must be higher than the current one.';
    case 'ZeroPrice':
      return 'An offer must have a price above zero.';
    case 'InvalidLicenseTerms':
      return 'The license terms sell nothing: a time-bound license needs a duration and a metered license needs a number of units.';
    case 'AssetNotAllowed':
      return 'Offers cannot be priced in this token; use the native currency or a token the registry accepts.';
    case 'ExpiryNotInFuture':
      return 'An attestation must expire in the future; choose a later expiry.';
    case 'AttestationNotFound':
      return 'This account has no live attestation on this model.';
    case 'SameAccount':
      return 'That account already owns this model; a model cannot be handed to its current owner.';
    case 'NoPendingTransfer':
      return 'No transfer of this model is waiting to be accepted.';
    case 'NotPendingOwner':
      return 'Only the account this model was offered to can accept it.';
    case 'Overflow':
      return 'A counter in the registry would overflow, so nothing was changed.';
    case 'VaultNotSet':
      return 'Purchases are not open yet because the registry has no escrow vault configured; try again once the admin has set one.';
    case 'Vault':
      return vaultSentence(e.value);
    case 'VaultCallFailed':
      return 'The call to the escrow vault failed (it crashed or its answer could not be read), so nothing was changed; try again later.';
    case 'Token':
      return tokenSentence(e.value);
    case 'TokenCallFailed':
      return 'The call to the payment token failed (it crashed or its answer could not be read), so nothing was charged; try again later.';
    case 'OfferChanged':
      return 'The seller changed this offer after you opened it; reload to see the new terms. Nothing was charged.';
    case 'TooManyPendingLicenses':
      return 'You already have the most licenses for this model that may wait on open orders; release one of them (or wait for one to settle) before buying again.';
    case 'WrongPayment':
      return 'The wrong amount was sent with this purchase: an offer in the native currency needs exactly its price, a token offer needs nothing sent; nothing was charged.';
    case 'CannotBuyOwnModel':
      return 'You own this model, so you cannot buy a license to it.';
    case 'LicenseNotFound':
      return 'There is no license with this id.';
    case 'NotLicenseHolder':
      return 'Only the account that bought this license can do this; switch to that account.';
    case 'InvalidRating':
      return 'Ratings are whole stars from 1 to 5.';
    case 'AlreadyRated':
      return 'You have already rated this model; each account rates a model once.';
    case 'LicenseNotReleased':
      return 'You can rate this model once one of your licenses for it has been released to the seller in full; release it in your licenses first.';
    case 'NotMetered':
      return 'This account holds no granted metered license for this model, so there are no units to count.';
    case 'LicenseNotPending':
      return 'This license’s outcome is already recorded, so there is nothing to drop.';
    case 'VaultStillAnswers':
      return 'This license’s order is still handled by its vault, so the license cannot be dropped; it settles there.';
    case 'UnitsExhausted':
      return 'This account has fewer metered units left for this model than asked for.';
    case 'ZeroUnits':
      return 'The number of units to count must be above zero.';
    case 'Paused':
      return 'New listings are paused by the marketplace’s guardian; licenses already sold keep working. Try again once the pause is lifted.';
    default:
      return unknownVariant(e);
  }
}

function adminSentence(e: MarketTypesAdminAdminError): string {
  switch (e) {
    case 'NotAdmin':
      return 'Only this contract’s admin can do this (the marketplace DAO, through a proposal, once the deployer has handed the role over).';
    case 'NotPendingAdmin':
      return 'Only the account proposed as the next admin can accept the role, and only while the proposal stands.';
    case 'InvalidPeriod':
      return 'A period must be above zero.';
    case 'PeriodTooLong':
      return 'That period is too long: none may be longer than 366 days.';
    case 'OutOfRange':
      return 'That value is outside what this setting allows (a royalty cap above the hard limit, a collateral ratio of zero or above its maximum, a no-show penalty above 100 % or above the ratio, or a minimum charge above its cap).';
    default:
      return unknownVariant(e);
  }
}

function vaultSentence(e: MarketTypesVaultVaultError): string {
  switch (e.type) {
    case 'NotArbiter':
      return 'Only the vault’s arbiter can do this (the marketplace DAO: a ruling, or a proposal).';
    case 'NotController':
      return 'Only the payer, or a contract the vault accepts as a controller, can do this, and this account is neither (or is no longer accepted).';
    case 'NotPayer':
      return 'Only the payer of this escrow can do this; switch to the paying account.';
    case 'NotPayee':
      return 'Only the payee of this escrow (the account being paid) can do this.';
    case 'NotParty':
      return 'Only the payer or the payee of this escrow can do this.';
    case 'EscrowNotFound':
      return 'There is no escrow with this id; check it or reload.';
    case 'WrongEscrowKind':
      return 'This action does not fit this escrow: it is for one-time orders and this is a stream, or the other way round.';
    case 'EscrowNotFunded':
      return 'This order is no longer waiting for delivery (it was already delivered or settled), so this step does not apply.';
    case 'EscrowNotDelivered':
      return 'This order has not been marked delivered yet, so this step is not available; the seller must deliver first.';
    case 'EscrowNotDisputed':
      return 'This escrow is not in dispute, so there is no dispute to rule on or expire.';
    case 'EscrowNotOpen':
      return 'This escrow is already settled or frozen by a dispute, so it cannot be changed now.';
    case 'DeliveryDeadlinePassed':
      return 'The delivery deadline has passed, so this is no longer possible; an undelivered order can now be refunded to the buyer.';
    case 'DeliveryDeadlineNotReached':
      return 'The delivery deadline has not passed yet, so only the seller can refund this order for now; try again after the deadline.';
    case 'ReviewWindowOpen':
      return 'The buyer’s review window is still open; this order can be finalized once it ends.';
    case 'ReviewWindowClosed':
      return 'The review window has closed, so this delivery can no longer be disputed.';
    case 'RulingWindowOpen':
      return 'The arbiter still has time to rule on this dispute; the fallback can be applied once the ruling deadline has passed.';
    case 'StreamEnded':
      return 'This stream has ended, so it can no longer be topped up, stopped or disputed.';
    case 'NothingToClaim':
      return 'Nothing has accrued on this stream since the last claim; try again later.';
    case 'AssetNotAllowed':
      return 'The vault does not accept this token; use the native currency or a token the vault accepts.';
    case 'ZeroAmount':
      return 'Amounts, rates and bonds must be above zero; enter a larger amount.';
    case 'WrongValue':
      return 'The wrong amount of native currency was sent: send exactly the amount due (at least the bond for a dispute), or nothing when paying in a token.';
    case 'SelfDeal':
      return 'The payer and the payee cannot be the same account.';
    case 'InvalidPeriod':
      return 'The period is empty or the deadline is already in the past; choose a later time.';
    case 'TooManyReceivers':
      return 'Too many royalty or slash receivers are named for one payment.';
    case 'InvalidShares':
      return 'The shares do not add up: the fee and royalties come to more than 100 %, or a split or a bond rate is above 100 %.';
    case 'FeeTooHigh':
      return 'The platform fee is above the vault’s cap; choose a lower fee.';
    case 'Overflow':
      return 'An amount would overflow, so nothing was changed; try a smaller amount or a shorter period.';
    case 'TokenTransferFailed':
      return 'The token contract failed to move the payment (it crashed, its answer could not be read, or it delivered less than asked), so nothing was changed.';
    case 'Token':
      return tokenSentence(e.value);
    case 'NativeTransferFailed':
      return 'Sending native currency out of the vault failed, so nothing was paid out; try again later.';
    case 'NothingToWithdraw':
      return 'You have nothing to withdraw in this asset.';
    case 'CollateralNotFound':
      return 'There is no collateral lock with this id, or it has already been released.';
    case 'NotCollateralController':
      return 'Only the account that locked this collateral can do this.';
    case 'CollateralInUse':
      return 'Escrows are still open against this collateral; it can be released once they are settled.';
    case 'CollateralStillLocked':
      return 'This collateral is still locked; you can take it back after its unlock time.';
    case 'SlashExceedsCollateral':
      return 'The slash asks for more than this collateral holds.';
    case 'PeriodTooLong':
      return 'That period reaches too far ahead: no deadline, window or lock may end more than 366 days from now.';
    case 'BelowMinDeposit':
      return 'The amount is below the vault’s minimum deposit for this asset; pay at least the minimum.';
    case 'NotPendingArbiter':
      return 'Only the account proposed as the next arbiter can accept the role.';
    case 'ControllerOnly':
      return 'This escrow was opened through a marketplace contract such as the registry; act on it there (for example Release in your licenses).';
    case 'NotOpener':
      return 'A controller contract can act only on the escrows and collateral it opened itself.';
    case 'StreamNotStarted':
      return 'This rental has not started yet, so nothing has accrued and there is nothing to claim or dispute.';
    case 'StreamAlreadyStarted':
      return 'This rental has already started.';
    case 'StartWindowPassed':
      return 'The time to start this rental has passed; it can only be cancelled now, with a full refund to the renter.';
    case 'StartWindowOpen':
      return 'The provider still has time to start this rental; a no-show can be cancelled only after the start window.';
    case 'InexactTopUp':
      return 'An extension must keep the same price per millisecond in whole units; extend by whole hours.';
    case 'InvalidPenalty':
      return 'The no-show penalty needs a rental that waits for its start and collateral that covers it.';
    case 'NoCollateralHold':
      return 'The vault holds no collateral of this escrow for a dispute, so there is no hold to end.';
    case 'InvalidMinPayout':
      return 'A stream’s minimum payout cannot be more than its amount.';
    default:
      return unknownVariant(e);
  }
}

function daoSentence(e: DisputeDaoErrorsError): string {
  switch (e.type) {
    case 'ZeroAmount':
      return 'The amount must be above zero; enter a larger amount.';
    case 'InsufficientStake':
      return 'That is more than your free active stake (stake at risk in open votes does not count); enter a smaller amount.';
    case 'NothingUnbonding':
      return 'You have no stake unbonding; request an unstake first.';
    case 'StillUnbonding':
      return 'Your stake is still unbonding; you can withdraw it once the unbonding delay has passed.';
    case 'UnsettledVotes':
      return 'You have votes that are not settled yet; settle them (or wait for their cases to end) before your stake can leave.';
    case 'NothingToWithdraw':
      return 'You have no DAO credit (rewards, returned bonds, bounties) to withdraw.';
    case 'CaseNotFound':
      return 'There is no case with this id; check it or reload.';
    case 'EscrowNotDisputed':
      return 'This escrow is not in dispute at the vault (nor is its collateral held for one); dispute it there (with the bond) before opening a case.';
    case 'CaseExists':
      return 'A case for this dispute is already open; add evidence to it instead.';
    case 'RulingWindowTooShort':
      return 'The vault’s ruling deadline for this dispute is too close for the jury to hear every round; the vault’s fallback will decide it.';
    case 'InvalidUri':
      return 'The evidence link must be between 1 and 128 bytes long.';
    case 'NotParty':
      return 'Only the payer or the payee of the disputed escrow can do this.';
    case 'PartyCannotVote':
      return 'A party to this case cannot be a juror on it.';
    case 'NotCommitPhase':
      return 'This case is not taking hidden votes now: its commit phase has not started or is over.';
    case 'NotRevealPhase':
      return 'Votes cannot be revealed now: wait for the reveal phase (it follows the commit phase), or it has ended.';
    case 'NotAppealPhase':
      return 'This ruling cannot be appealed now: its appeal window has not opened or is over, or the round has no ruling.';
    case 'CaseClosed':
      return 'This case is closed; its ruling has been executed.';
    case 'NotFinal':
      return 'This case is not final yet: a phase or the appeal window is still open.';
    case 'NoVotingWeight':
      return 'You had no stake before this case or proposal opened, so you have no vote on it (stake added later counts for later ones).';
    case 'AlreadyVoted':
      return 'You have already voted here; each member votes once per round or proposal.';
    case 'VoteNotFound':
      return 'There is no vote of this juror in this round.';
    case 'AlreadyRevealed':
      return 'This vote has already been revealed.';
    case 'CommitmentMismatch':
      return 'The choice and salt do not match the hidden vote; reveal with exactly the choice and salt you committed with.';
    case 'InvalidChoice':
      return 'That is not one of the ruling choices (the slash choices need an escrow with collateral).';
    case 'VoteVoided':
      return 'This vote was denounced before the reveal and is void.';
    case 'AlreadySettled':
      return 'This vote has already been settled.';
    case 'SelfDenounce':
      return 'A juror cannot denounce its own vote.';
    case 'CannotAppeal':
      return 'Only a party the ruling did not fully favour can appeal it.';
    case 'BelowProposalThreshold':
      return 'Your stake is below the proposal threshold; stake more to make a proposal.';
    case 'ProposalNotFound':
      return 'There is no proposal with this id; check it or reload.';
    case 'VotingClosed':
      return 'This proposal is not open for votes: its voting has not started or has ended.';
    case 'ProposalNotPassed':
      return 'This proposal has not passed (voting is still open, or it missed quorum or had no majority), so it cannot be executed.';
    case 'TimelockNotOver':
      return 'This proposal passed but its timelock has not run out; anyone can execute it once it has.';
    case 'ProposalFinished':
      return 'This proposal was already executed or canceled.';
    case 'ProposalExpired':
      return 'This proposal passed, but nobody executed it within its execution window after the timelock: it has expired. Propose it again.';
    case 'NotGuardian':
      return 'Only the guardian can do this.';
    case 'GuardianCannotCancel':
      return 'The guardian cannot cancel this proposal: it replaces the guardian or lifts a pause (the guardian cannot entrench itself).';
    case 'InvalidParams':
      return 'These parameters are not usable: a period is zero, a share above 100 %, the rounds out of range, a quorum cap or minimum of jurors of zero, a case fee below the juror reward, the unbonding delay not longer than the longest case, the longest case not shorter than the vault’s ruling window, or the action names a contract without that setting (only the registry and the market have a pause and a vault to point at).';
    case 'PeriodTooLong':
      return 'A period reaches too far: none may be longer than 366 days.';
    case 'Vault':
      return vaultSentence(e.value);
    case 'VaultCallFailed':
      return 'The call to the escrow vault failed (it crashed or its answer could not be read), so nothing was changed; try again later.';
    case 'TargetRefused':
      return 'The registry or the compute market refused the change (the DAO may not hold its admin role yet, or the value is out of range).';
    case 'TargetCallFailed':
      return 'The call to the registry or the compute market failed (it crashed or its answer could not be read), so nothing was changed.';
    case 'Token':
      return tokenDaoSentence(e.value);
    case 'TokenCallFailed':
      return 'The call to the stake token failed (it crashed or its answer could not be read), so nothing was moved; try again later.';
    case 'Overflow':
      return 'An amount would overflow, so nothing was changed; try a smaller amount.';
    case 'CollateralUnavailable':
      return 'The ruling slashes a collateral the vault no longer holds or could not read, so it was not executed (never a slash of nothing); try again, or after the vault’s ruling deadline, when the case closes with what can be applied.';
    default:
      return unknownVariant(e);
  }
}

/** The token's refusal of a DAO pull: the approval to name is the DAO's. */
function tokenDaoSentence(e: MarketTypesVaultTokenError): string {
  if (e.type === 'InsufficientAllowance') {
    return 'Your token approval is too low; approve the DAO for at least the amount (stake, case fee, appeal bond or reward funding), then try again.';
  }
  return tokenSentence(e);
}

function tokenSentence(e: MarketTypesVaultTokenError): string {
  switch (e.type) {
    case 'Custom':
      return withText('The token refused to move the payment', e.value);
    case 'InsufficientBalance':
      return 'Your token balance is too low for this payment; top it up and try again.';
    case 'InsufficientAllowance':
      return 'Your token approval is too low for this payment; approve the contract you are calling (the registry, for a purchase) for at least the amount, then try again.';
    case 'ZeroRecipientAddress':
      return 'The token refused to move the payment because the recipient is the zero address.';
    case 'ZeroSenderAddress':
      return 'The token refused to move the payment because the sender is the zero address.';
    case 'SafeTransferCheckFailed':
      return withText('The token’s safe-transfer check failed', e.value);
    default:
      return unknownVariant(e);
  }
}

function psp22Sentence(e: Psp22ErrorsPsp22Error): string {
  switch (e.type) {
    case 'Custom':
      return withText('The token refused the call', e.value);
    case 'InsufficientBalance':
      return 'The account does not hold enough tokens for this; lower the amount or top up first.';
    case 'InsufficientAllowance':
      return 'The allowance is too low for this (or smaller than the decrease asked for); the owner must approve the spender for more first.';
    case 'ZeroRecipientAddress':
      return 'The recipient is the zero address; enter a real recipient.';
    case 'ZeroSenderAddress':
      return 'The sender is the zero address, which cannot send tokens.';
    case 'SafeTransferCheckFailed':
      return withText('The token’s safe-transfer check failed', e.value);
    default:
      return unknownVariant(e);
  }
}

// ---------------------------------------------------------------- helpers

/** Thrown by a describer's default branch; caught by `guarded`, never escapes. */
class UnknownVariant extends Error {}

/** The `never` check: unreachable while the typings are complete. */
function unknownVariant(e: never): never {
  throw new UnknownVariant(errorName(e));
}

/** Runs a describer; any shape it cannot read (also nested) becomes the fallback sentence. */
function guarded<E>(e: E, sentence: (e: E) => string): string {
  try {
    return sentence(e);
  } catch {
    return refused(e);
  }
}

function refused(e: unknown): string {
  return `The contract refused the call (${errorName(e)}).`;
}

/** `{ type: string, value?: … }`: the shape dedot decodes a variant to. */
function isTagged(e: unknown): e is { type: string; value?: unknown } {
  return typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string';
}

/** A sentence quoting a token's own (untrusted) text, or saying it gave none. */
function withText(lead: string, text: unknown): string {
  const t = clean(typeof text === 'string' ? text : '', 80);
  return t === '' ? `${lead} without giving a reason.` : `${lead}: “${t}”.`;
}

/** Drops control characters, collapses spaces and cuts to `max` characters. */
function clean(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const MAX_DEPTH = 8;

function nameOf(e: unknown, depth: number): string {
  if (depth > MAX_DEPTH) return '…';
  if (typeof e === 'string') return clean(e, 120) || '""';
  if (e === undefined) return 'undefined';
  if (e === null) return 'null';
  if (typeof e !== 'object') return clean(String(e), 120);
  if (isTagged(e)) {
    const v = e.value;
    if (v === undefined || v === null) return e.type;
    if (typeof v === 'string') return `${e.type}(${JSON.stringify(clean(v, 120))})`;
    return `${e.type}(${nameOf(v, depth + 1)})`;
  }
  if (e instanceof Error) return clean(`${e.name}: ${e.message}`, 120);
  return clean(safeJson(e), 120) || 'unknown';
}

/** JSON that survives bigints and cycles (for the fallback name only). */
function safeJson(e: object): string {
  try {
    return JSON.stringify(e, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)) ?? '';
  } catch {
    return '';
  }
}
