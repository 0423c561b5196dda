import { describe, expect, it } from 'vitest'
import { webhookSettings } from './webhook-config.js'

describe('webhookSettings', () => {
  it('is undefined without settings, one default endpoint from URL and secret, several from MASTERVIDEO_WEBHOOKS', () => {
    expect(webhookSettings({})).toBeUndefined()
    expect(
      webhookSettings({ MASTERVIDEO_WEBHOOK_URL: 'http://h/x', MASTERVIDEO_WEBHOOK_SECRET: 's' }),
    ).toEqual({
      endpoints: [{ name: 'default', url: 'http://h/x', secret: 's' }],
    })
    const many = [
      { name: 'a', url: 'http://a/', secret: '1' },
      { name: 'b', url: 'http://b/', secret: '2' },
    ]
    expect(webhookSettings({ MASTERVIDEO_WEBHOOKS: JSON.stringify(many) })).toEqual({ endpoints: many })
  })

  it('refuses a URL without a secret and malformed JSON with VALIDATION', () => {
    expect(() => webhookSettings({ MASTERVIDEO_WEBHOOK_URL: 'http://h/x' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    )
    for (const bad of ['{', '[{"name":"a"}]', '{"name":"a","url":"u","secret":"s"}']) {
      expect(() => webhookSettings({ MASTERVIDEO_WEBHOOKS: bad })).toThrow(
        expect.objectContaining({ code: 'VALIDATION' }),
      )
    }
  })
})
