import { describe, expect, it } from 'vitest';
import { renderTemplate, UNDEFINED } from './jinja.js';

describe('renderTemplate (the Jinja subset of our discovery templates)', () => {
  it('renders values, attributes and Python spellings', () => {
    expect(renderTemplate('{{ value }}', { value: 'heat' })).toBe('heat');
    expect(renderTemplate('{{ position }}', { position: 42 })).toBe('42');
    expect(renderTemplate('{{ value_json.state }}', { value_json: { state: 'online' } })).toBe('online');
    expect(renderTemplate('{{ value_json.missing }}', { value_json: {} })).toBe('');
    expect(renderTemplate('{{ None }}/{{ True }}', {})).toBe('None/True');
    expect(renderTemplate('{"options":{"log_level":"{{ value }}"}}', { value: 'debug' })).toBe(
      '{"options":{"log_level":"debug"}}',
    );
  });

  it('looks up dict literals by subscript and .get() with a default', () => {
    const modes = "{{ {'auto':'schedule','heat':'manual','off':'off'}[value] }}";
    expect(renderTemplate(modes, { value: 'heat' })).toBe('manual');
    expect(renderTemplate(modes, { value: 'cool' })).toBe(''); // Jinja: undefined prints empty
    const get = "{{ {'away':'away','max':'boost'}.get(value_json.mode, 'none') }}";
    expect(renderTemplate(get, { value_json: { mode: 'max' } })).toBe('boost');
    expect(renderTemplate(get, { value_json: { mode: 'manual' } })).toBe('none');
  });

  it('evaluates inline if/else and if/elif/else blocks with is none', () => {
    expect(renderTemplate('{{ value if value > 0 else 1 }}', { value: 0 })).toBe('1');
    expect(renderTemplate('{{ value if value > 0 else 1 }}', { value: 2 })).toBe('2');
    expect(
      renderTemplate("{{ 'ON' if value_json.fan_speed else 'OFF' }}", { value_json: { fan_speed: null } }),
    ).toBe('OFF');
    const bool = '{% if value_json.x is none %}None{% elif value_json.x %}ON{% else %}OFF{% endif %}';
    expect(renderTemplate(bool, { value_json: { x: null } })).toBe('None');
    expect(renderTemplate(bool, { value_json: { x: true } })).toBe('ON');
    expect(renderTemplate(bool, { value_json: { x: false } })).toBe('OFF');
    expect(renderTemplate('{% if v is defined %}d{% else %}u{% endif %}', { v: UNDEFINED })).toBe('u');
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => renderTemplate('{{ value | int }}', { value: '1' })).toThrow(/filters/);
    expect(() => renderTemplate('{% for x in y %}{% endfor %}', {})).toThrow(/unsupported/);
    expect(() => renderTemplate('{{ value.upper() }}', { value: 'a' })).toThrow(/unsupported call/);
    expect(() => renderTemplate('{% if 1 %}x', {})).toThrow(/unclosed/);
  });
});
