// Devices attached over USB HID: an NSoC (hid/) and buttons for the kiosk (clickers, pedals).
export * from './hid';
export { actionFor, ButtonDecoder, createHidButtons, reportKindOf, SUGGESTED_BUTTONS, type ButtonAction, type ButtonDeviceState, type ButtonHidAccess, type ButtonHidDevice, type ButtonMap, type HidButtons, type HidButtonsOptions, type ReportKind } from './buttons';
export { consumerUsageName, keyboardUsageName } from './hid-usages';
