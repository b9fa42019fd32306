// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {ERC721Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC721/ERC721Upgradeable.sol";
import {ProtocolUpgradeable} from "../common/access/ProtocolUpgradeable.sol";
import {IAlignmentLicense} from "./interfaces/IAlignmentLicense.sol";

/// @title AlignmentLicense
/// @notice The AI-alignment-node licenses: a fixed number of ERC-721 tokens that governance mints. A licensed node
/// watches the network's AI services, attests each epoch and reports faults in `AlignmentRewards`; the owner runs it
/// or delegates the license to an operator address (`setOperator`), which a transfer clears.
/// @dev Roles: DEFAULT_ADMIN_ROLE mints (and unpauses); PAUSER_ROLE pauses transfers and operator changes (minting
/// and reading go on). Invariant: totalMinted ≤ maxLicenses; ids are 1..totalMinted.
contract AlignmentLicense is IAlignmentLicense, ProtocolUpgradeable, ERC721Upgradeable {
    /// @notice The largest license cap initialize accepts (it keeps per-epoch counters and loops small).
    uint256 public constant MAX_LICENSES_BOUND = 100_000;

    /// @custom:storage-location erc7201:zg.storage.AlignmentLicense
    struct AlignmentLicenseLayout {
        uint256 maxLicenses;
        uint256 totalMinted;
        mapping(uint256 licenseId => address) operators;
    }

    // keccak256(abi.encode(uint256(keccak256("zg.storage.AlignmentLicense")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x80c3023f74715b86f55aef82403340761eb8afe803cc9f77d6101a8745818300;

    /// @inheritdoc IAlignmentLicense
    function initialize(
        address admin,
        address pauser,
        string calldata name_,
        string calldata symbol_,
        uint256 maxLicenses_
    ) external initializer {
        __Protocol_init(admin, pauser);
        __ERC721_init(name_, symbol_);
        if (maxLicenses_ == 0 || maxLicenses_ > MAX_LICENSES_BOUND) revert AlignmentLicenseBadCap(maxLicenses_);
        _s().maxLicenses = maxLicenses_;
    }

    /// @inheritdoc IAlignmentLicense
    function mint(address to) external onlyRole(DEFAULT_ADMIN_ROLE) returns (uint256 licenseId) {
        AlignmentLicenseLayout storage $ = _s();
        if (to == address(0)) revert AlignmentLicenseZeroAddress();
        if ($.totalMinted == $.maxLicenses) revert AlignmentLicenseCapReached($.maxLicenses);
        licenseId = ++$.totalMinted;
        _safeMint(to, licenseId);
    }

    /// @inheritdoc IAlignmentLicense
    function setOperator(uint256 licenseId, address operator) external whenNotPaused {
        address owner = _requireOwned(licenseId);
        if (owner != msg.sender) revert AlignmentLicenseNotOwner(licenseId, msg.sender);
        _s().operators[licenseId] = operator;
        emit OperatorSet(licenseId, owner, operator);
    }

    /// @inheritdoc IAlignmentLicense
    function operatorOf(uint256 licenseId) external view returns (address) {
        return _s().operators[licenseId];
    }

    /// @inheritdoc IAlignmentLicense
    function isAuthorized(uint256 licenseId, address account) external view returns (bool) {
        address owner = _ownerOf(licenseId);
        if (owner == address(0) || account == address(0)) return false;
        return account == owner || account == _s().operators[licenseId];
    }

    /// @inheritdoc IAlignmentLicense
    function maxLicenses() external view returns (uint256) {
        return _s().maxLicenses;
    }

    /// @inheritdoc IAlignmentLicense
    function totalMinted() external view returns (uint256) {
        return _s().totalMinted;
    }

    /// @notice ERC-165: ERC-721, its metadata extension, AccessControl and IAlignmentLicense.
    /// @param interfaceId The interface id.
    /// @return True when supported.
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(AccessControlUpgradeable, ERC721Upgradeable) returns (bool) {
        return interfaceId == type(IAlignmentLicense).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @inheritdoc ProtocolUpgradeable
    function contractName() public pure override returns (string memory) {
        return "AlignmentLicense";
    }

    /// @inheritdoc ProtocolUpgradeable
    function version() external pure override returns (string memory) {
        return "1.0.0";
    }

    /// @dev Transfers (not mints) are refused while paused and clear the operator: a new owner picks its own.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) {
            _requireNotPaused();
            AlignmentLicenseLayout storage $ = _s();
            if ($.operators[tokenId] != address(0)) {
                delete $.operators[tokenId];
                emit OperatorSet(tokenId, from, address(0));
            }
        }
    }

    function _s() private pure returns (AlignmentLicenseLayout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
