// An NSoC attached over USB HID: the report protocol, the node-hid host, a software device, and the InferenceBackend both implement.
export { createHidBackend, createSimulatorBackend, type BackendModel, type BackendResult, type BackendState, type BackendStatus, type HidBackend, type HidBackendOptions, type InferenceBackend } from './backend';
export { HidClient, type ClientCounters, type RequestOptions } from './client';
export { hidDeviceOpener, hidUnavailableReason, listHidDevices, matchesFilter, NSOC_FILTER, openHidTransport, type HidDeviceInfo, type HidFilter } from './hid-host';
export { decodeReport, encodeReport, fragment, MAX_MESSAGE_BYTES, Op, PROTOCOL_VERSION, ProtocolError, Reassembler, REPORT_BYTES, type Message, type ProtocolErrorCode, type Report } from './protocol';
export { DeviceErrorCode, type DeviceIdentity, type DeviceStats, type DeviceStatus } from './messages';
export { DEFAULT_IDENTITY, NEUROLIVE_PRODUCT_ID, NEUROLIVE_USAGE, NEUROLIVE_USAGE_PAGE, NEUROLIVE_VENDOR_ID, SoftwareHidDevice, type SoftwareDeviceOptions } from './software-device';
export { createLoopback, type HidTransport, type LoopbackFaults } from './transport';
export { createBackendEngine, type BackendEngine } from './engine-adapter';
export { capabilityProblems } from './capabilities';
export { defaultNsocDevices, SoftwareNsocDevices, usbNsocDevices, type NsocDevices } from './nsoc-devices';
