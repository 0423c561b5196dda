import { memoryRepository } from '@mastervideo/core'
import { outboxConformance } from '@mastervideo/core/testing'

outboxConformance({ name: 'memory', create: () => memoryRepository() })
