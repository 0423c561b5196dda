// This folder's browser tests launch Chromium through the repository's one helper.
export { CHROMIUM_ARGS, findChromium, launchChromium } from '../../../scripts/test-support/launch-chromium.js'
