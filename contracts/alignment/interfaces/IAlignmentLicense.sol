// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAlignmentLicenseErrors
/// @notice The custom errors of the alignment-node license collection.
interface IAlignmentLicenseErrors {
    /// @notice Thrown when the license cap given at initialize is zero or above `MAX_LICENSES_BOUND`.
    /// @param maxLicenses The cap given.
    error AlignmentLicenseBadCap(uint256 maxLicenses);

    /// @notice Thrown when a mint would exceed the fixed number of licenses.
    /// @param maxLicenses The cap.
    error AlignmentLicenseCapReached(uint256 maxLicenses);

    /// @notice Thrown when a license is minted to the zero address.
    error AlignmentLicenseZeroAddress();

    /// @notice Thrown when someone other than the license's owner sets its operator.
    /// @param licenseId The license.
    /// @param caller The caller.
    error AlignmentLicenseNotOwner(uint256 licenseId, address caller);
}

/// @title IAlignmentLicenseEvents
/// @notice The events of the alignment-node license collection (ERC-721's own events besides).
interface IAlignmentLicenseEvents {
    /// @notice Emitted when a license's operator is set, changed or cleared (zero; a transfer clears it too).
    /// @param licenseId The license.
    /// @param owner The license's owner at that moment (the previous owner when a transfer cleared it).
    /// @param operator The new operator, zero when none.
    event OperatorSet(uint256 indexed licenseId, address indexed owner, address indexed operator);
}

/// @title IAlignmentLicense
/// @notice A fixed number of AI-alignment-node licenses (ERC-721). Governance mints them; an owner runs a node itself
/// or delegates the license to an operator address, the key its node signs attestations and reports with.
interface IAlignmentLicense is IAlignmentLicenseErrors, IAlignmentLicenseEvents {
    /// @notice Sets up the collection.
    /// @param admin Governance: admin (minter) and upgrader.
    /// @param pauser The guardian that may pause transfers and operator changes (none when zero).
    /// @param name_ The collection's name.
    /// @param symbol_ The collection's symbol.
    /// @param maxLicenses_ How many licenses may ever exist (1..MAX_LICENSES_BOUND).
    function initialize(
        address admin,
        address pauser,
        string calldata name_,
        string calldata symbol_,
        uint256 maxLicenses_
    ) external;

    /// @notice Mints the next license (ids 1, 2, …) to `to`; only DEFAULT_ADMIN_ROLE (governance).
    /// @dev Reverts with `AlignmentLicenseCapReached` once `maxLicenses` exist. Emits ERC-721 `Transfer`.
    /// @param to The licensee.
    /// @return licenseId The new license's id.
    function mint(address to) external returns (uint256 licenseId);

    /// @notice Delegates the license to `operator` (zero clears it); only the license's owner, not while paused.
    /// @dev The operator may attest, report and claim for the license; rewards still go to the owner (or its payee).
    /// A transfer clears the operator. Emits `OperatorSet`.
    /// @param licenseId The license.
    /// @param operator The node's signing address, or zero.
    function setOperator(uint256 licenseId, address operator) external;

    /// @notice The license's operator (zero when none, or for an unknown license).
    /// @param licenseId The license.
    /// @return The operator.
    function operatorOf(uint256 licenseId) external view returns (address);

    /// @notice Whether `account` may act for the license: its owner or its operator. False for an unknown license.
    /// @param licenseId The license.
    /// @param account The account.
    /// @return True when authorized.
    function isAuthorized(uint256 licenseId, address account) external view returns (bool);

    /// @notice How many licenses may ever exist.
    /// @return The cap.
    function maxLicenses() external view returns (uint256);

    /// @notice How many licenses were minted (the highest id).
    /// @return The count.
    function totalMinted() external view returns (uint256);
}
