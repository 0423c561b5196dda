import type { MediaStreamInfo, ProbeResult } from '@mastervideo/core'

/**
 * A probe as ffprobe would report a 2 s, 1280x720, 30 fps H.264 clip with
 * AAC stereo audio at `/clips/<name>`; `video` and `audio` override fields,
 * `audio: null` leaves the audio out. For unit tests that need no real file.
 */
export function clip(
  name: string,
  video: Partial<MediaStreamInfo> = {},
  audio: Partial<MediaStreamInfo> | null = {},
): ProbeResult {
  const streams: MediaStreamInfo[] = [
    {
      index: 0,
      type: 'video',
      codec: 'h264',
      profile: 'High',
      width: 1280,
      height: 720,
      rotation: 0,
      sar: '1:1',
      pixelFormat: 'yuv420p',
      frameRate: '30/1',
      timeBase: '1/15360',
      ...video,
    },
  ]
  if (audio) {
    streams.push({
      index: 1,
      type: 'audio',
      codec: 'aac',
      profile: 'LC',
      sampleRate: 48000,
      channels: 2,
      channelLayout: 'stereo',
      ...audio,
    })
  }
  return {
    path: `/clips/${name}`,
    durationSec: 2,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    sizeBytes: 1,
    streams,
  }
}
