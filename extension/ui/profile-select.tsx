import type { useProfiles } from "./use-profiles";

/** Switches the active profile; shown only when there are several. With `caption`, inside a visible label. */
export function ProfileSelect({
  profiles,
  caption = false,
}: {
  profiles: ReturnType<typeof useProfiles>;
  caption?: boolean;
}) {
  const list = profiles.list;
  if (!list || list.profiles.length < 2) return null;
  const select = (
    <select
      name="profile"
      aria-label={caption ? undefined : "Profile"}
      value={profiles.active?.id ?? ""}
      onChange={(e) => void profiles.switchTo(e.currentTarget.value)}
    >
      {list.profiles.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
  return caption ? (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the select above, held in a variable.
    <label class="inline">
      Profile
      {select}
    </label>
  ) : (
    select
  );
}
