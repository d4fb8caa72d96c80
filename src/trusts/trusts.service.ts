import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ConflictError, NotFoundError } from '../infra/errors/domain-error';
import { isUniqueViolation } from '../infra/database/pg-errors';
import { AddTrustDto } from './dto/add-trust.dto';
import { Trust } from './trust.entity';

@Injectable()
export class TrustsService {
  constructor(@InjectRepository(Trust) private readonly trusts: Repository<Trust>) {}

  async add(input: AddTrustDto): Promise<Trust> {
    try {
      await this.trusts.insert({ code: input.code, name: input.name.trim(), icbCode: input.icb ?? null, ptc: input.ptc ?? false });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A trust with that code already exists');
      throw error;
    }
    return this.get(input.code);
  }

  /**
   * Marks the trust as a Principal Treatment Centre, or no longer one. Samples already accepted
   * stay: the mark is checked when a file is uploaded.
   */
  async setPtc(code: string, ptc: boolean): Promise<Trust> {
    const trust = await this.get(code);
    if (trust.ptc !== ptc) await this.trusts.update({ code }, { ptc });
    return this.get(code);
  }

  list(): Promise<Trust[]> {
    return this.trusts.find({ order: { code: 'ASC' } });
  }

  async get(code: string): Promise<Trust> {
    const trust = await this.trusts.findOneBy({ code });
    if (!trust) throw new NotFoundError('No trust has that code: check the trust code', 'trust');
    return trust;
  }
}
