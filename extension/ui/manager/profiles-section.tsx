import { Messages } from "../messages";
import type { useProfiles } from "../use-profiles";
import { AddByName } from "./controls";

interface Props {
  profiles: ReturnType<typeof useProfiles>;
}

/** Several profiles per browser: each its own collection, settings and account. */
export function ProfilesSection({ profiles }: Props) {
  const list = profiles.list;
  if (!list) return null;
  return (
    <div class="stack">
      <p class="muted">Each profile has its own collection and its own account on the relay.</p>
      <ul class="plain-list" aria-label="Profiles">
        {list.profiles.map((p) => (
          <li key={p.id} class="row">
            <strong class="grow">
              {p.name} {p.id === list.active && <span class="muted">(open)</span>}
            </strong>
            {p.id !== list.active && (
              <button type="button" onClick={() => void profiles.switchTo(p.id)}>
                Open
              </button>
            )}
            <button
              type="button"
              class="secondary"
              onClick={() => {
                const next = window.prompt(`Rename the profile "${p.name}" to:`, p.name);
                if (next !== null) void profiles.rename(p.id, next);
              }}
            >
              Rename
            </button>
            {list.profiles.length > 1 && (
              <button
                type="button"
                class="danger"
                onClick={() => {
                  if (
                    window.confirm(
                      `Delete the profile "${p.name}" and its whole collection from this browser? This cannot be undone.`,
                    )
                  ) {
                    void profiles.remove(p.id);
                  }
                }}
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      <AddByName name="newProfile" placeholder="New profile name" button="Add profile" onAdd={profiles.add} />
      <Messages error={profiles.error} notice={null} />
    </div>
  );
}
