// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakingTypes
/// @notice The structs the staking contract stores and returns.
interface IStakingTypes {
    /// @notice Where a validator is in its life: unknown, active (registered, counted against `maxValidators`)
    /// or exited (its operator took out all of its self-stake; it never comes back).
    enum ValidatorStatus {
        None,
        Active,
        Exited
    }

    /// @notice A pool of native value owned pro rata by share holders. `stake` is real value; the price of a
    /// share is `(stake + 1) / (shares + 1e3)` (a virtual offset that defeats first-deposit inflation).
    struct Pool {
        uint256 stake;
        uint256 shares;
    }

    /// @notice Governance-set parameters; `setParams` checks every bound.
    struct Params {
        uint256 minSelfStake;
        uint256 minDelegation;
        uint256 maxEffectiveStake;
        uint64 unbondingDelay;
        uint64 jailPeriod;
        uint64 epochLength;
        uint32 maxValidators;
        uint32 maxCommissionPpm;
        uint32 communityTaxPpm;
        uint32 doubleSignSlashPpm;
        uint32 downtimeSlashPpm;
        uint32 downtimeThreshold;
    }

    /// @notice A validator, keyed by its operator's address.
    // The enum packs into one byte next to the other small fields (one slot); the rule counts it as 32 bytes.
    // solhint-disable-next-line gas-struct-packing
    struct Validator {
        Pool bonded;
        Pool unbonding;
        uint64 lastCommissionChangeAt;
        uint64 jailedUntil;
        uint32 commissionPpm;
        uint32 maxCommissionPpm;
        uint32 maxCommissionChangePerDayPpm;
        ValidatorStatus status;
        bool jailed;
        bytes consensusPubKey;
    }

    /// @notice A withdrawal entry: shares of its validator's unbonding pool, paid out after `completionTime`.
    struct Withdrawal {
        address owner;
        uint64 completionTime;
        bool claimed;
        address validator;
        uint256 shares;
    }

    /// @notice An unmatured redelegation: `shares` of `dst` that stay locked, and answer for slashes of `src`,
    /// until `completionTime`.
    struct Redelegation {
        address delegator;
        uint64 completionTime;
        address src;
        address dst;
        uint256 shares;
    }

    /// @notice A protocol service that validators opt into and that may slash them.
    struct Service {
        bool registered;
        bool active;
        uint32 maxSlashPpmPerEpoch;
        string name;
    }

    /// @notice A validator's opt-in to a service; `optOutAt` is 0 until the operator asks to leave.
    struct OptIn {
        uint64 optedInAt;
        uint64 optOutAt;
    }

    /// @notice How much of its per-epoch cap a service has used against one validator.
    struct SlashWindow {
        uint64 epoch;
        uint32 usedPpm;
    }
}
